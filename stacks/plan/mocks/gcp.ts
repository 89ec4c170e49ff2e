/**
 * Mocked provider outputs for @pulumi/gcp: the provider-computed outputs this program reads (auto-names,
 * emails, URIs, resource names) and the function-call fixtures (project number, service agents).
 * Deterministic so plans are stable. Shapes follow the provider's documented output formats.
 */
import { createHash } from "crypto";
import { ProviderMocks } from "./types";

/** The project number every mocked project has. */
export const MOCK_PROJECT_NUMBER = "123456789012";

/** Pulumi's auto-name: `<logical name>-<7 lowercase hex characters>`. */
export function mockAutoName(name: string): string {
    return `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 7)}`;
}

const hash = (s: string, n = 10) => createHash("sha256").update(s).digest("hex").slice(0, n);

/** Service agent emails of `projects.ServiceIdentity`, by service (cloud.google.com/iam/docs/service-agents). */
const AGENT_DOMAINS: Record<string, string> = {
    "artifactregistry.googleapis.com": "gcp-sa-artifactregistry",
    "aiplatform.googleapis.com": "gcp-sa-aiplatform",
    "notebooks.googleapis.com": "gcp-sa-notebooks",
    "run.googleapis.com": "serverless-robot-prod",
    "pubsub.googleapis.com": "gcp-sa-pubsub",
    "eventarc.googleapis.com": "gcp-sa-eventarc",
    "workflows.googleapis.com": "gcp-sa-workflows",
    "composer.googleapis.com": "cloudcomposer-accounts",
};

export const gcpMocks: ProviderMocks = {
    state(type, name, inputs) {
        const project = inputs.project ?? "mock-project";
        switch (type) {
            case "gcp:storage/bucket:Bucket": {
                const bucketName = inputs.name ?? mockAutoName(name);
                return { name: bucketName, url: `gs://${bucketName}`, selfLink: `https://www.googleapis.com/storage/v1/b/${bucketName}` };
            }
            case "gcp:logging/projectSink:ProjectSink":
                // A project sink writes as the project's Logging service agent (cloud.google.com/logging/docs/routing/user-managed-service-accounts).
                return { writerIdentity: `serviceAccount:service-${MOCK_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com` };
            case "gcp:kms/keyRing:KeyRing":
                return { name: inputs.name ?? mockAutoName(name) };
            case "gcp:serviceaccount/account:Account": {
                const email = `${inputs.accountId}@${project}.iam.gserviceaccount.com`;
                return {
                    email,
                    member: `serviceAccount:${email}`,
                    name: `projects/${project}/serviceAccounts/${email}`,
                    uniqueId: hash(email, 21),
                };
            }
            case "gcp:projects/serviceIdentity:ServiceIdentity": {
                const email = `service-${MOCK_PROJECT_NUMBER}@${AGENT_DOMAINS[inputs.service] ?? "gcp-sa-unknown"}.iam.gserviceaccount.com`;
                return { email, member: `serviceAccount:${email}` };
            }
            case "gcp:cloudrunv2/service:Service":
                return { uri: `https://${inputs.name}-${hash(inputs.name, 10)}-uc.a.run.app`, name: inputs.name };
            case "gcp:cloudfunctionsv2/function:Function":
                return { url: `https://${inputs.location}-${project}.cloudfunctions.net/${inputs.name}`, name: inputs.name };
            case "gcp:artifactregistry/repository:Repository":
                return { name: inputs.repositoryId, registryUri: `${inputs.location}-docker.pkg.dev/${project}/${inputs.repositoryId}` };
            case "gcp:vertex/aiEndpoint:AiEndpoint":
                // The provider's documented format, scheme included.
                return {
                    dedicatedEndpointDns: `https://${inputs.name}.${inputs.location}-${MOCK_PROJECT_NUMBER}.prediction.vertexai.goog`,
                };
            case "gcp:vertex/aiTensorboard:AiTensorboard":
                return {
                    name: `projects/${MOCK_PROJECT_NUMBER}/locations/${inputs.region}/tensorboards/${hash(name, 19).replace(/[a-f]/g, "7")}`,
                };
            case "gcp:workbench/instance:Instance":
                return { proxyUri: `${hash(name, 16)}-dot-${inputs.location?.replace(/-[a-z]$/, "")}.notebooks.googleusercontent.com` };
            case "gcp:composer/environment:Environment": {
                // Composer 2 names its bucket `<region>-<environment>-<8 hex>-bucket` and reads DAGs from its `dags` folder.
                const bucketName = `${inputs.region}-${inputs.name}-${hash(name, 8)}-bucket`;
                return {
                    name: inputs.name,
                    config: {
                        ...inputs.config,
                        dagGcsPrefix: `gs://${bucketName}/dags`,
                        airflowUri: `https://${hash(name, 32)}-dot-${inputs.region}.composer.googleusercontent.com`,
                    },
                };
            }
            case "gcp:monitoring/notificationChannel:NotificationChannel":
                return { name: `projects/${project}/notificationChannels/${hash(name, 19).replace(/[a-f]/g, "1")}` };
            case "gcp:monitoring/alertPolicy:AlertPolicy":
                return { name: `projects/${project}/alertPolicies/${hash(name, 19).replace(/[a-f]/g, "2")}` };
            case "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember":
            case "gcp:cloudrunv2/jobIamMember:JobIamMember":
            case "gcp:pubsub/topicIAMMember:TopicIAMMember":
            case "gcp:storage/bucketIAMMember:BucketIAMMember":
            case "gcp:projects/iAMMember:IAMMember":
                return { etag: `BwY${hash(name, 8)}=` };
            default:
                return {};
        }
    },
    call(token, inputs) {
        switch (token) {
            case "gcp:organizations/getProject:getProject":
                return { projectId: inputs.projectId, number: MOCK_PROJECT_NUMBER, name: inputs.projectId };
            case "gcp:storage/getProjectServiceAccount:getProjectServiceAccount": {
                const emailAddress = `service-${MOCK_PROJECT_NUMBER}@gs-project-accounts.iam.gserviceaccount.com`;
                return { emailAddress, member: `serviceAccount:${emailAddress}`, project: inputs.project };
            }
            case "gcp:logging/getProjectCmekSettings:getProjectCmekSettings": {
                // The project's Logging service account (cloud.google.com/logging/docs/routing/managed-encryption-storage).
                const serviceAccountId = `service-${MOCK_PROJECT_NUMBER}@gcp-sa-logging.iam.gserviceaccount.com`;
                return { serviceAccountId, name: `projects/${inputs.project}/cmekSettings`, project: inputs.project };
            }
            case "gcp:bigquery/getDefaultServiceAccount:getDefaultServiceAccount": {
                const email = `bq-${MOCK_PROJECT_NUMBER}@bigquery-encryption.iam.gserviceaccount.com`;
                return { email, member: `serviceAccount:${email}`, project: inputs.project };
            }
            default:
                return undefined;
        }
    },
};
