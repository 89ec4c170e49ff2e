#!/usr/bin/env bash
# Deploys the sample model onto the Vertex AI endpoint a stack created (serverlessInference
# implementation vertex-endpoint). Pulumi has no resource that deploys a custom model onto an endpoint,
# so this is the pipeline step: build the image, upload a Vertex model, deploy it with the machine,
# accelerator and replica counts the stack resolved from the accelerator catalog.
#
#   samples/gcp/vertex/deploy-model.sh <stack> [model] [version]
#   e.g. samples/gcp/vertex/deploy-model.sh gcp-prod iris 1
#
# Needs: gcloud (authenticated), pulumi (logged in to the stack's backend), jq.
set -euo pipefail

STACK="${1:?usage: deploy-model.sh <stack> [model] [version]}"
MODEL="${2:-iris}"
VERSION="${3:-1}"
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"

outputs="$(pulumi stack output --json --stack "$STACK" --cwd "$ROOT")"
project="$(pulumi config get gcp:project --stack "$STACK" --cwd "$ROOT")"
region="$(pulumi config get gcp:region --stack "$STACK" --cwd "$ROOT")"
registry="$(jq -r '.containerService.registry' <<<"$outputs")"
settings="$(jq -c --arg m "$MODEL" '.serverlessInference.deploySettings[$m]' <<<"$outputs")"
trainer="$(jq -r '.mlPlatform.training.serviceAccount' <<<"$outputs")"
if [[ "$settings" == "null" ]]; then
  echo "stack $STACK has no Vertex AI endpoint for model $MODEL (is serverlessInference.implementation vertex-endpoint?)" >&2
  exit 1
fi
endpoint="$(jq -r '.endpoint' <<<"$settings")"
machine="$(jq -r '.machineType' <<<"$settings")"
accel="$(jq -r '.acceleratorType' <<<"$settings")"
count="$(jq -r '.acceleratorCount' <<<"$settings")"
min="$(jq -r '.minReplicaCount' <<<"$settings")"
max="$(jq -r '.maxReplicaCount' <<<"$settings")"
image="$registry/$MODEL:$VERSION"

# 1. Build the image from the sample files (the repository's tags are immutable: bump VERSION to rebuild).
context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp "$HERE/Dockerfile" "$ROOT/samples/model/serve.py" "$ROOT/samples/model/model.json" "$context/"
gcloud builds submit "$context" --project "$project" --region "$region" --tag "$image"

# 2. Upload it as a Vertex AI model (Model Registry). serve.py answers /predict and /healthz on 8080.
gcloud ai models upload --project "$project" --region "$region" \
  --display-name "$MODEL-$VERSION" --container-image-uri "$image" \
  --container-predict-route /predict --container-health-route /healthz --container-ports 8080 \
  --container-env-vars "MODEL_NAME=$MODEL"
model_id="$(gcloud ai models list --project "$project" --region "$region" \
  --filter "display_name=$MODEL-$VERSION" --sort-by ~create_time --limit 1 --format 'value(name)')"

# 3. Deploy it with the catalog's machine and accelerator (TPUs are implied by their machine type).
accelerator=()
if [[ "$accel" != "none" && "$accel" != TPU_* ]]; then
  accelerator=(--accelerator "type=$(tr 'A-Z_' 'a-z-' <<<"$accel"),count=$count")
fi
gcloud ai endpoints deploy-model "${endpoint##*/}" --project "$project" --region "$region" \
  --model "$model_id" --display-name "$MODEL-$VERSION" --machine-type "$machine" "${accelerator[@]}" \
  --min-replica-count "$min" --max-replica-count "$max" --service-account "$trainer" \
  --traffic-split 0=100
