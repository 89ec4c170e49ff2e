/**
 * Pure pieces of a pipeline's Container Apps jobs: the job template (the job's files mounted read-only
 * from secrets at /app, the runner's environment, the size), the KEDA `azure-queue` scale rule of the
 * on-arrival job, and the small standard-library script its init container runs to take the start
 * message off the queue (Container Apps starts one execution per message; a message left on the queue
 * would start another). No SDK is loaded.
 */
import { fileSecretName } from "../container-service/azure-apps";
import type { PipelineJobSpec } from "./contract";
import { JOB_FILES_PATH, jobSize } from "./azure-args";

/** The image the init container runs the dequeue script in: Python, standard library only, pinned. */
export const DEQUEUE_IMAGE = "python:3.12.12-slim-bookworm";
/** The dequeue script's file name under /app (next to the job's own files). */
export const DEQUEUE_FILE = "mlops-dequeue.py";
/** Seconds between KEDA's looks at a queue. */
export const QUEUE_POLLING_SECONDS = 30;

/**
 * Takes one message off the arrival queue with the job's managed identity (Entra ID; the account has no
 * shared keys), so each blob event starts one run. Exits 0 when the queue is already empty (another
 * execution took the message): the run then processes whatever is new, as a scheduled one would.
 */
export const DEQUEUE_SCRIPT = `"""Take one message off the pipeline's arrival queue (mlops, Azure Container Apps jobs)."""
import json, os, re, urllib.parse, urllib.request

def token():
    query = {"resource": "https://storage.azure.com/", "api-version": "2019-08-01", "client_id": os.environ["AZURE_CLIENT_ID"]}
    request = urllib.request.Request(os.environ["IDENTITY_ENDPOINT"] + "?" + urllib.parse.urlencode(query),
                                     headers={"X-IDENTITY-HEADER": os.environ["IDENTITY_HEADER"]})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["access_token"]

def call(method, url, bearer):
    headers = {"Authorization": "Bearer " + bearer, "x-ms-version": "2023-11-03"}
    with urllib.request.urlopen(urllib.request.Request(url, method=method, headers=headers), timeout=30) as response:
        return response.read().decode()

def main():
    queue = os.environ["MLOPS_QUEUE_URL"].rstrip("/")
    bearer = token()
    body = call("GET", queue + "/messages?numofmessages=1&visibilitytimeout=" + os.environ.get("MLOPS_VISIBILITY_SECONDS", "300"), bearer)
    found = re.search(r"<MessageId>([^<]+)</MessageId>.*?<PopReceipt>([^<]+)</PopReceipt>", body, re.S)
    if not found:
        print("no arrival message left: running on what is new")
        return
    message_id, receipt = found.groups()
    call("DELETE", queue + "/messages/" + message_id + "?popreceipt=" + urllib.parse.quote(receipt, safe=""), bearer)
    print("took arrival message " + message_id)

if __name__ == "__main__":
    main()
`;

export interface JobRun {
    /** `schedule` or `arrival` (MLOPS_TRIGGER). */
    readonly trigger: "schedule" | "arrival";
    readonly sourceUri: string;
    readonly targetUri: string;
    /** Client ID of the pipeline's user-assigned identity (the job's and the script's credentials). */
    readonly clientId: string;
    /** `https://<account>.queue.core.windows.net/<queue>`, for the on-arrival job. */
    readonly queueUrl?: string;
}

/** The job's secrets: one per file of the job (and the dequeue script on the on-arrival job). */
export function jobFileSecrets(job: PipelineJobSpec, run: Pick<JobRun, "trigger">): { name: string; value: string }[] {
    const files = { ...(job.files ?? {}), ...(run.trigger === "arrival" ? { [DEQUEUE_FILE]: DEQUEUE_SCRIPT } : {}) };
    return Object.entries(files).map(([file, value]) => ({ name: fileSecretName(file), value }));
}

/** The job template: the job's container (plus the dequeue init container on arrival), files at /app. */
export function jobTemplate(job: PipelineJobSpec, run: JobRun) {
    const files = [...Object.keys(job.files ?? {}), ...(run.trigger === "arrival" ? [DEQUEUE_FILE] : [])];
    const mounts = files.length > 0 ? [{ volumeName: "job-files", mountPath: JOB_FILES_PATH }] : undefined;
    const identityEnv = [{ name: "AZURE_CLIENT_ID", value: run.clientId }];
    return {
        initContainers:
            run.trigger === "arrival"
                ? [
                      {
                          name: "take-arrival-message",
                          image: DEQUEUE_IMAGE,
                          command: ["python", `${JOB_FILES_PATH}/${DEQUEUE_FILE}`],
                          env: [
                              ...identityEnv,
                              { name: "MLOPS_QUEUE_URL", value: run.queueUrl ?? "" },
                              { name: "MLOPS_VISIBILITY_SECONDS", value: String(job.timeoutMinutes * 60) },
                          ],
                          resources: { cpu: 0.25, memory: "0.5Gi" },
                          volumeMounts: mounts,
                      },
                  ]
                : undefined,
        containers: [
            {
                name: job.name,
                image: job.image,
                command: [...job.command],
                args: job.args && job.args.length > 0 ? [...job.args] : undefined,
                env: [
                    ...Object.entries(job.env ?? {}).map(([name, value]) => ({ name, value })),
                    { name: "MLOPS_PIPELINE", value: job.name },
                    { name: "MLOPS_SOURCE_URI", value: run.sourceUri },
                    { name: "MLOPS_TARGET_URI", value: run.targetUri },
                    { name: "MLOPS_TRIGGER", value: run.trigger },
                    ...identityEnv,
                ],
                resources: jobSize(job),
                volumeMounts: mounts,
            },
        ],
        volumes:
            files.length > 0
                ? [{ name: "job-files", storageType: "Secret", secrets: files.map((f) => ({ secretRef: fileSecretName(f), path: f })) }]
                : undefined,
    };
}

/** The on-arrival job's scale rule: one execution per message, read with the pipeline's identity (no connection string). */
export function arrivalScaleRule(accountName: string, queueName: string, identityId: string) {
    return {
        name: "blob-arrivals",
        type: "azure-queue",
        metadata: { accountName, queueName, queueLength: "1" },
        identity: identityId,
    };
}
