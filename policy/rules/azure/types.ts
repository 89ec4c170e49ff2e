/** Azure type tokens (@pulumi/azure-native 3.28). */

export const AZ = {
    storageAccount: "azure-native:storage:StorageAccount",
    blobService: "azure-native:storage:BlobServiceProperties",
    blobContainer: "azure-native:storage:BlobContainer",
    vault: "azure-native:keyvault:Vault",
    registry: "azure-native:containerregistry:Registry",
    mlWorkspace: "azure-native:machinelearningservices:Workspace",
    mlCompute: "azure-native:machinelearningservices:Compute",
    mlOnlineEndpoint: "azure-native:machinelearningservices:OnlineEndpoint",
    mlOnlineDeployment: "azure-native:machinelearningservices:OnlineDeployment",
    containerApp: "azure-native:app:ContainerApp",
    managedEnvironment: "azure-native:app:ManagedEnvironment",
    webApp: "azure-native:web:WebApp",
    roleAssignment: "azure-native:authorization:RoleAssignment",
    diagnosticSetting: "azure-native:monitor:DiagnosticSetting",
    logAnalytics: "azure-native:operationalinsights:Workspace",
    appInsights: "azure-native:applicationinsights:Component",
    synapse: "azure-native:synapse:Workspace",
} as const;
