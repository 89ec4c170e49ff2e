/**
 * The AWS target's options: the keys of the `aws` sub-object of each `mlops:` section and model, and the
 * parsed settings (`StackConfig.aws`). Types and constants only; imports nothing from the stack-config
 * schema or parser, so the schema can name these types without an import cycle.
 */

export const AWS_KEYS = {
    mlPlatform: ["vpcCidr", "availabilityZones", "natGateways", "interfaceEndpoints", "flowLogs", "studio", "cpuTrainingInstanceType"],
    dataLake: ["coldStorageClass", "catalogEncryption", "dataAccessTrail", "forceDestroy", "queryBytesScannedCutoffGiB"],
    containerService: ["publicIngress", "certificateArn", "plainHttp", "allowedCidrs", "latencyThresholdMs"],
    serverlessInference: ["reserveLambdaConcurrency", "lambdaTimeoutSeconds", "dataCaptureSamplingPercent", "latencyThresholdMs"],
    model: ["lambdaCode", "lambdaHandler", "lambdaRuntime", "sagemakerCode", "sagemakerImage"],
} as const;

export interface AwsNetworkConfig {
    readonly vpcCidr: string;
    readonly availabilityZones: number;
    /** 0 (no internet egress), 1 (shared) or one per zone. Each costs per hour and per GB. */
    readonly natGateways: number;
    /** Interface endpoints for the AWS APIs the private compute calls (cost per hour per zone). */
    readonly interfaceEndpoints: boolean;
    readonly flowLogs: boolean;
}

export interface AwsModelConfig {
    /** `lambdaCode` directory read into name -> content. */
    readonly lambdaCode?: Record<string, string>;
    readonly lambdaHandler: string;
    readonly lambdaRuntime: string;
    /** `sagemakerCode` directory read into name -> content (placed under code/ in model.tar.gz). */
    readonly sagemakerCode?: Record<string, string>;
    readonly sagemakerImage?: string;
}

export interface AwsConfig {
    /** `aws:region`, when set in the stack (the provider can also take it from AWS_REGION). */
    readonly region?: string;
    readonly network: AwsNetworkConfig;
    readonly mlPlatform: { readonly studio: boolean; readonly cpuTrainingInstanceType: string };
    readonly dataLake: {
        readonly coldStorageClass: string;
        readonly catalogEncryption: boolean;
        readonly dataAccessTrail: boolean;
        readonly forceDestroy: boolean;
        readonly queryBytesScannedCutoffGiB: number;
    };
    readonly containerService: {
        readonly publicIngress: boolean;
        /** The HTTPS listener's ACM certificate; without it (and without plainHttp) the stack issues one from its own CA. */
        readonly certificateArn?: string;
        /** Plain HTTP on port 80 for an internal-only load balancer (the documented opt-out of TLS). */
        readonly plainHttp: boolean;
        readonly allowedCidrs?: string[];
        readonly latencyThresholdMs: number;
    };
    readonly serverlessInference: {
        readonly reserveLambdaConcurrency: boolean;
        readonly lambdaTimeoutSeconds: number;
        readonly dataCaptureSamplingPercent: number;
        readonly latencyThresholdMs: number;
    };
    /** Per model, by index in `mlops:models`. */
    readonly models: AwsModelConfig[];
}
