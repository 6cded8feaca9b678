/**
 * Azure public-cloud regions, for `GET /subscriptions/{id}/locations`
 * (`az account list-locations`) and the `locations` of provider resource types
 * (`az provider show`). Names, display names, geography and pairs are Azure's; the
 * table holds the main regions, not all ~60, and leaves out latitude/longitude
 * rather than guess them. A scenario region missing here is still listed, with its
 * name as display name.
 */
export interface Region {
  name: string;
  displayName: string;
  geographyGroup: string;
  physicalLocation: string;
  pairedRegion: string;
}

const r = (
  name: string,
  displayName: string,
  geographyGroup: string,
  physicalLocation: string,
  pairedRegion: string,
): Region => ({ name, displayName, geographyGroup, physicalLocation, pairedRegion });

export const REGIONS: readonly Region[] = [
  r('eastus', 'East US', 'US', 'Virginia', 'westus'),
  r('eastus2', 'East US 2', 'US', 'Virginia', 'centralus'),
  r('southcentralus', 'South Central US', 'US', 'Texas', 'northcentralus'),
  r('westus2', 'West US 2', 'US', 'Washington', 'westcentralus'),
  r('westus3', 'West US 3', 'US', 'Phoenix', 'eastus'),
  r('australiaeast', 'Australia East', 'Asia Pacific', 'New South Wales', 'australiasoutheast'),
  r('southeastasia', 'Southeast Asia', 'Asia Pacific', 'Singapore', 'eastasia'),
  r('northeurope', 'North Europe', 'Europe', 'Ireland', 'westeurope'),
  r('swedencentral', 'Sweden Central', 'Europe', 'Gävle', 'swedensouth'),
  r('uksouth', 'UK South', 'Europe', 'London', 'ukwest'),
  r('westeurope', 'West Europe', 'Europe', 'Netherlands', 'northeurope'),
  r('centralus', 'Central US', 'US', 'Iowa', 'eastus2'),
  r('southafricanorth', 'South Africa North', 'Africa', 'Johannesburg', 'southafricawest'),
  r('centralindia', 'Central India', 'Asia Pacific', 'Pune', 'southindia'),
  r('eastasia', 'East Asia', 'Asia Pacific', 'Hong Kong', 'southeastasia'),
  r('japaneast', 'Japan East', 'Asia Pacific', 'Tokyo, Saitama', 'japanwest'),
  r('koreacentral', 'Korea Central', 'Asia Pacific', 'Seoul', 'koreasouth'),
  r('canadacentral', 'Canada Central', 'Canada', 'Toronto', 'canadaeast'),
  r('francecentral', 'France Central', 'Europe', 'Paris', 'francesouth'),
  r('germanywestcentral', 'Germany West Central', 'Europe', 'Frankfurt', 'germanynorth'),
  r('norwayeast', 'Norway East', 'Europe', 'Norway', 'norwaywest'),
  r('switzerlandnorth', 'Switzerland North', 'Europe', 'Zurich', 'switzerlandwest'),
  r('uaenorth', 'UAE North', 'Middle East', 'Dubai', 'uaecentral'),
  r('brazilsouth', 'Brazil South', 'South America', 'Sao Paulo State', 'southcentralus'),
  r('northcentralus', 'North Central US', 'US', 'Illinois', 'southcentralus'),
  r('westus', 'West US', 'US', 'California', 'eastus'),
  r('westcentralus', 'West Central US', 'US', 'Wyoming', 'westus2'),
  r('ukwest', 'UK West', 'Europe', 'Cardiff', 'uksouth'),
  r('japanwest', 'Japan West', 'Asia Pacific', 'Osaka', 'japaneast'),
  r('canadaeast', 'Canada East', 'Canada', 'Quebec', 'canadacentral'),
];

/** The table plus any region the scenario uses that the table lacks. */
export function regionsWith(extraNames: Iterable<string>): Region[] {
  const out = [...REGIONS];
  const known = new Set(out.map((x) => x.name));
  for (const name of extraNames) {
    const n = name.toLowerCase().replace(/\s+/g, '');
    if (known.has(n)) continue;
    known.add(n);
    out.push(r(n, name, 'Other', name, ''));
  }
  return out;
}
