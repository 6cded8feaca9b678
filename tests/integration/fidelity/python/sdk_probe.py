"""Drives the REAL azure-sdk-for-python (Debian's python3-azure) against the emulator.

Run by python-sdk.test.ts with /usr/bin/python3. The test passes a JSON config on
stdin; this script performs every call a JIT client makes, exactly as a user would
wire it (authority host, base_url, credential_scopes, REQUESTS_CA_BUNDLE for the CA),
and prints one JSON document of observations on stdout. It asserts nothing itself:
the jest test judges the observations, so a failure names what the SDK saw.

Each step is isolated: an exception is recorded as {"error": {...}} and the next step
runs, so one discrepancy does not hide the others.
"""

import datetime
import json
import os
import sys
import traceback

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.identity import (
    CertificateCredential,
    ClientAssertionCredential,
    ClientSecretCredential,
    EnvironmentCredential,
    ManagedIdentityCredential,
)
from azure.mgmt.compute import ComputeManagementClient
from azure.mgmt.network import NetworkManagementClient
from azure.mgmt.resource import ResourceManagementClient, SubscriptionClient
from azure.mgmt.security import SecurityCenter
from azure.mgmt.security.v2020_01_01 import models as sec_models

cfg = json.load(sys.stdin)
ARM = cfg["armUrl"]
SUB = cfg["subscriptionId"]
SCOPES = [ARM + "/.default"]
out = {}


def error_view(exc):
    """What a caller can read from an SDK exception."""
    view = {"type": type(exc).__name__, "message": str(exc)[:600]}
    status = getattr(exc, "status_code", None)
    if status is not None:
        view["status"] = status
    err = getattr(exc, "error", None)
    if err is not None:
        view["code"] = getattr(err, "code", None)
        view["errorMessage"] = getattr(err, "message", None)
    response = getattr(exc, "response", None)
    if response is not None:
        retry_after = response.headers.get("Retry-After")
        if retry_after is not None:
            view["retryAfter"] = retry_after
    return view


def step(name, fn):
    try:
        out[name] = fn()
    except (HttpResponseError, ClientAuthenticationError) as exc:
        out[name] = {"error": error_view(exc)}
    except Exception as exc:  # noqa: BLE001 - any client-side failure is an observation
        out[name] = {"error": {"type": type(exc).__name__, "message": str(exc)[:600],
                               "trace": traceback.format_exc()[-1500:]}}


def secret_credential(principal):
    # azure-identity 1.13 calls the switch `instance_discovery` (later versions:
    # `disable_instance_discovery`); without it MSAL asks login.microsoftonline.com.
    return ClientSecretCredential(
        cfg["tenantId"], principal["clientId"], principal["secret"],
        authority=cfg["authorityHost"], instance_discovery=False,
    )


def clients(credential):
    common = {"base_url": ARM, "credential_scopes": SCOPES, "retry_total": cfg.get("retryTotal", 3)}
    return (
        SecurityCenter(credential, SUB, **common),
        NetworkManagementClient(credential, SUB, **common),
        ComputeManagementClient(credential, SUB, **common),
    )


deployer = secret_credential(cfg["deployer"])
sec, net, comp = clients(deployer)


# --- Entra ID -----------------------------------------------------------------

def token_secret():
    tok = deployer.get_token(*SCOPES)
    return {"ok": bool(tok.token), "expiresIn": tok.expires_on - int(datetime.datetime.now().timestamp())}


def token_certificate():
    cred = CertificateCredential(
        cfg["tenantId"], cfg["cert"]["clientId"], certificate_path=cfg["cert"]["path"],
        authority=cfg["authorityHost"], instance_discovery=False,
    )
    s, _, _ = clients(cred)
    return {"ok": bool(cred.get_token(*SCOPES).token),
            "policies": sorted(p.name for p in s.jit_network_access_policies.list())}


def token_bad_secret():
    bad = dict(cfg["deployer"], secret="not-the-secret")
    secret_credential(bad).get_token(*SCOPES)
    return {"unexpected": "token issued for a wrong secret"}


def with_env(variables, fn):
    """Runs fn with extra environment variables, as a user's shell would set them."""
    saved = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        return fn()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def token_environment_adfs():
    # EnvironmentCredential cannot switch off MSAL's instance discovery (a call to
    # login.microsoftonline.com for any unknown AAD host), so environment-only users
    # point it at the emulator's AD FS dialect, as for Azure Stack Hub: tenant "adfs".
    env = {"AZURE_TENANT_ID": "adfs", "AZURE_CLIENT_ID": cfg["deployer"]["clientId"],
           "AZURE_CLIENT_SECRET": cfg["deployer"]["secret"], "AZURE_AUTHORITY_HOST": cfg["authorityHost"]}

    def run():
        cred = EnvironmentCredential()
        s, _, _ = clients(cred)
        return {"ok": bool(cred.get_token(*SCOPES).token),
                "policies": sorted(p.name for p in s.jit_network_access_policies.list())}
    return with_env(env, run)


def token_managed_identity():
    def run():
        cred = ManagedIdentityCredential()
        s, _, _ = clients(cred)
        return {"ok": bool(cred.get_token(*SCOPES).token),
                "policies": sorted(p.name for p in s.jit_network_access_policies.list())}
    return with_env(cfg["managedIdentityEnv"], run)


def token_github_assertion():
    # A workload-identity federation: the GitHub Actions ID token as client assertion.
    # azure-identity 1.13.0b2's ClientAssertionCredential raises TypeError for ANY keyword
    # (it forwards them to object.__init__), so the authority comes from the environment.
    def run():
        cred = ClientAssertionCredential(cfg["tenantId"], cfg["deployer"]["clientId"],
                                         lambda: cfg["githubToken"])
        s, _, _ = clients(cred)
        return {"ok": bool(cred.get_token(*SCOPES).token),
                "policies": sorted(p.name for p in s.jit_network_access_policies.list())}
    return with_env({"AZURE_AUTHORITY_HOST": cfg["authorityHost"]}, run)


step("tokenSecret", token_secret)
step("tokenEnvironmentAdfs", token_environment_adfs)
step("tokenGithubAssertion", token_github_assertion)
step("tokenManagedIdentity", token_managed_identity)
step("tokenCertificate", token_certificate)
step("tokenBadSecret", token_bad_secret)


# --- Microsoft.Resources: what generic tooling reads first --------------------------

def subscriptions():
    sc = SubscriptionClient(deployer, base_url=ARM, credential_scopes=SCOPES)
    subs = sorted((s.subscription_id, s.display_name) for s in sc.subscriptions.list())
    regions = [l.name for l in sc.subscriptions.list_locations(SUB)]
    return {"subscriptions": [list(s) for s in subs], "regions": regions}


def provider_and_groups():
    rm = ResourceManagementClient(deployer, SUB, base_url=ARM, credential_scopes=SCOPES)
    provider = rm.providers.get("Microsoft.Security")
    groups = sorted(g.name for g in rm.resource_groups.list())
    return {"namespace": provider.namespace, "registrationState": provider.registration_state,
            "types": {t.resource_type: t.api_versions for t in provider.resource_types},
            "groups": groups, "exists": rm.resource_groups.check_existence("rg-web"),
            "existsMissing": rm.resource_groups.check_existence("rg-nope")}


step("subscriptions", subscriptions)
step("providerAndGroups", provider_and_groups)


# --- Microsoft.Security: JIT policies -------------------------------------------

jit = sec.jit_network_access_policies
step("listSubscription", lambda: sorted(p.name for p in jit.list()))
step("listRegion", lambda: sorted(p.name for p in jit.list_by_region("eastus")))
step("listResourceGroup", lambda: sorted(p.name for p in jit.list_by_resource_group("rg-web")))
step("listResourceGroupRegion",
     lambda: sorted(p.name for p in jit.list_by_resource_group_and_region("rg-api", "eastus")))
step("locations", lambda: sorted(l.name for l in sec.locations.list()))


def get_policy():
    p = jit.get("rg-web", "eastus", "web-jit")
    return {"name": p.name, "kind": p.kind, "location": p.location,
            "provisioningState": p.provisioning_state,
            "vms": [{"id": v.id, "ports": [
                {"number": port.number, "protocol": port.protocol,
                 "allowedSourceAddressPrefix": port.allowed_source_address_prefix,
                 "maxRequestAccessDuration": port.max_request_access_duration}
                for port in v.ports]} for v in p.virtual_machines]}


step("getPolicy", get_policy)
step("getMissingPolicy", lambda: jit.get("rg-web", "eastus", "no-such-policy").name)
step("getPolicyMissingGroup", lambda: jit.get("rg-nope", "eastus", "web-jit").name)


def vm_id(rg, name):
    return f"/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{name}"


def initiate_body(vm, port, source, hours=1.0):
    end = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=hours)
    return sec_models.JitNetworkAccessPolicyInitiateRequest(
        virtual_machines=[sec_models.JitNetworkAccessPolicyInitiateVirtualMachine(
            id=vm, ports=[sec_models.JitNetworkAccessPolicyInitiatePort(
                number=port, allowed_source_address_prefix=source, end_time_utc=end)])],
        justification="fidelity test (python)")


def initiate():
    r = jit.initiate("rg-web", "eastus", "web-jit",
                     initiate_body(vm_id("rg-web", "web-01"), 22, cfg["source"]))
    return {"startTimeUtc": r.start_time_utc.isoformat() if r.start_time_utc else None,
            "requestor": r.requestor, "justification": r.justification,
            "ports": [{"vm": v.id, "number": p.number, "status": p.status, "statusReason": p.status_reason,
                       "endTimeUtc": p.end_time_utc.isoformat() if p.end_time_utc else None}
                      for v in r.virtual_machines for p in v.ports]}


step("initiate", initiate)
step("initiateNotSubset", lambda: jit.initiate(
    "rg-web", "eastus", "web-jit", initiate_body(vm_id("rg-web", "web-01"), 3389, cfg["source"])).as_dict())
step("initiateTooLong", lambda: jit.initiate(
    "rg-web", "eastus", "web-jit", initiate_body(vm_id("rg-web", "web-01"), 22, cfg["source"], hours=5)).as_dict())


def history():
    p = jit.get("rg-web", "eastus", "web-jit")
    return [{"startTimeUtc": r.start_time_utc.isoformat() if r.start_time_utc else None,
             "ports": [{"number": port.number, "status": port.status, "statusReason": port.status_reason}
                       for v in r.virtual_machines for port in v.ports]}
            for r in (p.requests or [])]


step("history", history)


def readonly_initiate():
    s, _, _ = clients(secret_credential(cfg["readonly"]))
    return s.jit_network_access_policies.initiate(
        "rg-web", "eastus", "web-jit", initiate_body(vm_id("rg-web", "web-01"), 22, cfg["source"])).as_dict()


step("initiateForbidden", readonly_initiate)


def put_policy():
    admin_sec, _, _ = clients(secret_credential(cfg["admin"]))
    body = sec_models.JitNetworkAccessPolicy(
        kind="Basic",
        virtual_machines=[sec_models.JitNetworkAccessPolicyVirtualMachine(
            id=vm_id("rg-web", "legacy-01"),
            ports=[sec_models.JitNetworkAccessPortRule(
                number=2222, protocol="TCP", allowed_source_address_prefix="*",
                max_request_access_duration="PT2H")])])
    put = admin_sec.jit_network_access_policies.create_or_update("rg-web", "eastus", "legacy-jit", body)
    got = admin_sec.jit_network_access_policies.get("rg-web", "eastus", "legacy-jit")
    admin_sec.jit_network_access_policies.delete("rg-web", "eastus", "legacy-jit")
    return {"putState": put.provisioning_state, "getState": got.provisioning_state,
            "vms": [v.id for v in got.virtual_machines]}


step("putPolicy", put_policy)


# --- Microsoft.Compute / Microsoft.Network ---------------------------------------

def vm_walk():
    vm = comp.virtual_machines.get("rg-web", "web-01")
    nic_id = vm.network_profile.network_interfaces[0].id
    nic = net.network_interfaces.get("rg-web", nic_id.rsplit("/", 1)[-1])
    ipc = nic.ip_configurations[0]
    pip = net.public_ip_addresses.get("rg-web", ipc.public_ip_address.id.rsplit("/", 1)[-1])
    subnet_parts = ipc.subnet.id.split("/")
    subnet = net.subnets.get("rg-web", subnet_parts[-3], subnet_parts[-1])
    return {"vm": vm.name, "location": vm.location, "nic": nic.name,
            "nicNsg": nic.network_security_group.id if nic.network_security_group else None,
            "privateIp": ipc.private_ip_address, "publicIp": pip.ip_address,
            "fqdn": pip.dns_settings.fqdn if pip.dns_settings else None,
            "subnet": subnet.name, "subnetPrefix": subnet.address_prefix}


step("vmWalk", vm_walk)
step("getMissingVm", lambda: comp.virtual_machines.get("rg-web", "no-such-vm").name)


def rule_view(r):
    return {"name": r.name, "priority": r.priority, "access": r.access, "direction": r.direction,
            "protocol": r.protocol, "source": r.source_address_prefix,
            "destination": r.destination_address_prefix, "port": r.destination_port_range,
            "provisioningState": r.provisioning_state}


def nsg_rules():
    nsg = net.network_security_groups.get("rg-web", "web-01-nsg")
    return {"rules": [rule_view(r) for r in nsg.security_rules],
            "defaultRules": len(nsg.default_security_rules or [])}


step("nsgAfterInitiate", nsg_rules)


def delete_allow_rule():
    nsg = net.network_security_groups.get("rg-web", "web-01-nsg")
    allow = [r.name for r in nsg.security_rules if r.name.startswith("SecurityCenter-JITRule-")]
    if not allow:
        return {"deleted": None}
    name = allow[0]
    got = rule_view(net.security_rules.get("rg-web", "web-01-nsg", name))
    poller = net.security_rules.begin_delete("rg-web", "web-01-nsg", name, polling_interval=0)
    poller.result()
    after = [r.name for r in net.network_security_groups.get("rg-web", "web-01-nsg").security_rules]
    return {"deleted": name, "got": got, "pollerStatus": poller.status(), "done": poller.done(),
            "stillThere": name in after}


step("deleteAllowRule", delete_allow_rule)
step("getDeletedRule", lambda: net.security_rules.get(
    "rg-web", "web-01-nsg", out.get("deleteAllowRule", {}).get("deleted") or "none").name)


# --- Throttling: the test arranges a 429 with Retry-After on this exact call ----------

def throttled():
    before = datetime.datetime.now()
    name = jit.get("rg-api", "eastus", "default").name
    return {"name": name, "seconds": (datetime.datetime.now() - before).total_seconds()}


step("throttledGet", throttled)

json.dump(out, sys.stdout)
