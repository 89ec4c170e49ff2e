/**
 * Mocked provider outputs for @pulumi/azure-native: the names Azure returns (the explicit name input of
 * each type), the computed endpoints, identities and URIs our program reads, and the client config.
 * Deterministic, so plans are stable.
 */
import { createHash } from "crypto";
import { ProviderMocks } from "./types";

/** What `authorization.getClientConfig` returns offline. */
export const AZURE_CLIENT_CONFIG = {
    clientId: "00000000-0000-4000-8000-00000000c1e0",
    objectId: "00000000-0000-4000-8000-0000000000b1",
    subscriptionId: "00000000-0000-4000-8000-000000000501",
    tenantId: "00000000-0000-4000-8000-0000000007e0",
} as const;

/** A stable fake GUID per seed (principal IDs, customer IDs). */
function guid(seed: string): string {
    const h = createHash("sha256").update(seed).digest("hex");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The input that carries each type's name (azure-native resources output it as `name`). */
const NAME_INPUT: Record<string, string> = {
    "azure-native:resources:ResourceGroup": "resourceGroupName",
    "azure-native:storage:StorageAccount": "accountName",
    "azure-native:storage:BlobContainer": "containerName",
    "azure-native:keyvault:Vault": "vaultName",
    "azure-native:keyvault:Key": "keyName",
    "azure-native:managedidentity:UserAssignedIdentity": "resourceName",
    "azure-native:operationalinsights:Workspace": "workspaceName",
    "azure-native:applicationinsights:Component": "resourceName",
    "azure-native:containerregistry:Registry": "registryName",
    "azure-native:app:ManagedEnvironment": "environmentName",
    "azure-native:app:ContainerApp": "containerAppName",
    "azure-native:machinelearningservices:Workspace": "workspaceName",
    "azure-native:machinelearningservices:OnlineEndpoint": "endpointName",
    "azure-native:machinelearningservices:OnlineDeployment": "deploymentName",
    "azure-native:machinelearningservices:Compute": "computeName",
    "azure-native:synapse:Workspace": "workspaceName",
    "azure-native:web:WebApp": "name",
    "azure-native:web:AppServicePlan": "name",
    "azure-native:network:VirtualNetwork": "virtualNetworkName",
    "azure-native:network:NetworkSecurityGroup": "networkSecurityGroupName",
    "azure-native:network:PrivateEndpoint": "privateEndpointName",
    "azure-native:network:PrivateDnsZoneGroup": "privateDnsZoneGroupName",
    "azure-native:privatedns:PrivateZone": "privateZoneName",
    "azure-native:privatedns:VirtualNetworkLink": "virtualNetworkLinkName",
    "azure-native:privatedns:PrivateRecordSet": "relativeRecordSetName",
    "azure-native:monitor:ActionGroup": "actionGroupName",
    "azure-native:app:ContainerAppsAuthConfig": "authConfigName",
    "azure-native:app:Job": "jobName",
    "azure-native:storage:Queue": "queueName",
    "azure-native:eventgrid:SystemTopic": "systemTopicName",
    "azure-native:eventgrid:SystemTopicEventSubscription": "eventSubscriptionName",
    "azure-native:eventhub:Namespace": "namespaceName",
    "azure-native:eventhub:EventHub": "eventHubName",
    "azure-native:logic:Workflow": "workflowName",
    "azure-native:machinelearningservices:Schedule": "name",
    "azure-native:machinelearningservices:EnvironmentVersion": "name",
    "azure-native:monitor:ScheduledQueryRule": "ruleName",
};

export const azureMocks: ProviderMocks = {
    state(type, name, inputs) {
        const out: Record<string, unknown> = {};
        const nameInput = NAME_INPUT[type];
        const resourceName: string = (nameInput && inputs[nameInput]) || name;
        if (nameInput) out.name = resourceName;
        const location = inputs.location ?? "swedencentral";
        const systemIdentity = () => ({
            type: "SystemAssigned",
            principalId: guid(`principal:${name}`),
            tenantId: AZURE_CLIENT_CONFIG.tenantId,
        });
        switch (type) {
            case "azure-native:storage:StorageAccount":
                out.primaryEndpoints = {
                    blob: `https://${resourceName}.blob.core.windows.net/`,
                    dfs: `https://${resourceName}.dfs.core.windows.net/`,
                };
                break;
            case "azure-native:keyvault:Vault":
                out.properties = { ...inputs.properties, vaultUri: `https://${resourceName}.vault.azure.net/` };
                break;
            case "azure-native:keyvault:Key":
                out.keyUri = `https://${inputs.vaultName}.vault.azure.net/keys/${resourceName}`;
                out.keyUriWithVersion = `https://${inputs.vaultName}.vault.azure.net/keys/${resourceName}/0000000000000000000000000000000a`;
                break;
            case "azure-native:managedidentity:UserAssignedIdentity":
                out.principalId = guid(`principal:${name}`);
                out.clientId = guid(`client:${name}`);
                out.tenantId = AZURE_CLIENT_CONFIG.tenantId;
                break;
            case "azure-native:operationalinsights:Workspace":
                out.customerId = guid(`customer:${name}`);
                break;
            case "azure-native:applicationinsights:Component":
                out.connectionString = `InstrumentationKey=${guid(`ikey:${name}`)}`;
                break;
            case "azure-native:containerregistry:Registry":
                out.loginServer = `${String(resourceName).toLowerCase()}.azurecr.io`;
                break;
            case "azure-native:app:ManagedEnvironment":
                out.defaultDomain = `mock-${createHash("sha256").update(name).digest("hex").slice(0, 8)}.${location}.azurecontainerapps.io`;
                // An environment in a subnet answers on a private IP of it (a public one otherwise).
                out.staticIp = inputs.vnetConfiguration?.internal ? "10.42.1.10" : "20.91.0.10";
                break;
            case "azure-native:app:ContainerApp": {
                const domain = `mock-env.${location}.azurecontainerapps.io`;
                const external = inputs.configuration?.ingress?.external !== false;
                out.configuration = {
                    ...inputs.configuration,
                    ingress: { ...inputs.configuration?.ingress, fqdn: `${resourceName}.${external ? "" : "internal."}${domain}` },
                };
                out.latestRevisionFqdn = `${resourceName}--0000001.${domain}`;
                break;
            }
            case "azure-native:machinelearningservices:Workspace":
                out.identity = systemIdentity();
                out.mlFlowTrackingUri = `azureml://${location}.api.azureml.ms/mlflow/v1.0/subscriptions/${AZURE_CLIENT_CONFIG.subscriptionId}/resourceGroups/${inputs.resourceGroupName}/providers/Microsoft.MachineLearningServices/workspaces/${resourceName}`;
                out.workspaceId = guid(`workspace:${name}`);
                break;
            case "azure-native:machinelearningservices:OnlineEndpoint":
                out.identity = systemIdentity();
                out.properties = { ...inputs.properties, scoringUri: `https://${resourceName}.${location}.inference.ml.azure.com/score` };
                break;
            case "azure-native:synapse:Workspace":
                out.identity = systemIdentity();
                out.connectivityEndpoints = {
                    sqlOnDemand: `${resourceName}-ondemand.sql.azuresynapse.net`,
                    web: `https://web.azuresynapse.net?workspace=${resourceName}`,
                };
                break;
            case "azure-native:eventgrid:SystemTopic":
            case "azure-native:eventhub:Namespace":
            case "azure-native:logic:Workflow":
                out.identity = systemIdentity();
                break;
            case "azure-native:web:WebApp":
                out.defaultHostName = `${resourceName}.azurewebsites.net`;
                break;
        }
        return out;
    },
    call(token, inputs) {
        if (token === "azure-native:authorization:getClientConfig") return { ...AZURE_CLIENT_CONFIG };
        if (token === "azure-native:logic:listWorkflowTriggerCallbackUrl") {
            const id = createHash("sha256").update(String(inputs.workflowName)).digest("hex").slice(0, 32);
            return {
                value: `https://prod-00.swedencentral.logic.azure.com:443/workflows/${id}/triggers/${inputs.triggerName}/paths/invoke?api-version=2016-10-01&sp=%2Ftriggers%2F${inputs.triggerName}%2Frun&sv=1.0&sig=mock`,
            };
        }
        return undefined;
    },
};
