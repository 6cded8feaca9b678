"""azure-sdk-for-python borrowing the Azure CLI's login (AzureCliCredential), as many
scripts do: it runs `az account get-access-token --resource <arm>` in the CLI's
AZURE_CONFIG_DIR and calls ARM with that token. Prints the policy names it lists.

usage: cli_credential.py <arm url> <subscription id>
"""

import json
import sys

from azure.identity import AzureCliCredential
from azure.mgmt.security import SecurityCenter

arm, subscription = sys.argv[1], sys.argv[2]
client = SecurityCenter(AzureCliCredential(), subscription, base_url=arm, credential_scopes=[arm + "/.default"])
json.dump(sorted(p.name for p in client.jit_network_access_policies.list()), sys.stdout)
