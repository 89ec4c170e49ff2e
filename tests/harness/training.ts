/**
 * The iris TrainingSpec the training-pipeline component tests start from (manual approval, drift with
 * retrain, a served version): each cloud's test overrides what it exercises.
 */
import type { TrainingSpec } from "@mlops/components";

export function irisTraining(over: Partial<TrainingSpec> = {}): TrainingSpec {
    return {
        model: "iris",
        mode: "custom",
        image: "python:3.12.12-slim-bookworm",
        command: ["python", "/app/train.py"],
        args: [],
        env: {},
        files: { "train.py": "print('train')\n", "drift.py": "print('drift')\n" },
        dataset: { zone: "curated", prefix: "iris/" },
        datasetPipeline: "iris-etl",
        output: { zone: "models", prefix: "iris/" },
        schedule: "0 4 * * 1",
        onNewData: true,
        metric: "accuracy",
        threshold: 0.9,
        approval: "manual",
        cpuMillicores: 1000,
        memoryMiB: 2048,
        timeoutMinutes: 60,
        accelerator: { type: "nvidia-l4", count: 1 },
        spot: true,
        drift: {
            schedule: "0 * * * *",
            command: ["python", "/app/drift.py"],
            capture: { zone: "models", prefix: "iris/_capture/" },
            psiThreshold: 0.2,
            ksAlpha: 0.05,
            retrain: true,
        },
        servedVersion: "20261203T101500Z-1a2b3c4d",
        ...over,
    };
}
