/**
 * The certificate of a load balancer's HTTPS listener when the user brings none: a private CA held in the
 * stack (its key in Pulumi state, as a secret) signs a server certificate for the load balancer's DNS name,
 * which is imported into ACM. Clients inside the VPC trust the CA certificate (a stack output).
 *
 * ACM import rules ("Prerequisites for importing ACM certificates"): X.509 v3, PEM, unencrypted key of at
 * most 5 KB, RSA 1024-4096 or ECDSA P-256/384/521 (an ALB accepts them all), valid at import time, and a
 * re-import may not add KeyUsage/ExtendedKeyUsage the first import lacked (so the uses are fixed here).
 *
 * Imported certificates never renew by themselves. The server certificate is valid for a year; in its last
 * SERVER_EARLY_RENEWAL_HOURS the TLS provider plans a replacement at the next `pulumi up`, which re-imports
 * into the same ACM ARN (the listener is not touched). The CA lives five years and is renewed in its last
 * 90 days the same way, which re-issues every server certificate and changes the CA output clients trust.
 */
import * as pulumi from "@pulumi/pulumi";
import * as acm from "@pulumi/aws/acm";
import * as tls from "@pulumi/tls";

/** RSA 2048: accepted by ACM import and by every TLS client; ECDSA would exclude some older ones. */
export const KEY = { algorithm: "RSA", rsaBits: 2048 } as const;
export const CA_VALIDITY_HOURS = 5 * 365 * 24;
export const CA_EARLY_RENEWAL_HOURS = 90 * 24;
export const SERVER_VALIDITY_HOURS = 365 * 24;
export const SERVER_EARLY_RENEWAL_HOURS = 30 * 24;
/** Days before expiry at which the certificate-expiry alarm fires: `pulumi up` was not run in the renewal window. */
export const EXPIRY_ALARM_DAYS = 21;

export interface ServingCa {
    readonly keyPem: pulumi.Output<string>;
    readonly certPem: pulumi.Output<string>;
}

/** The private CA of one container service. */
export function servingCa(parent: pulumi.Resource, name: string, namePrefix: string): ServingCa {
    const key = new tls.PrivateKey(`${name}-ca-key`, { ...KEY }, { parent });
    const cert = new tls.SelfSignedCert(
        `${name}-ca`,
        {
            privateKeyPem: key.privateKeyPem,
            isCaCertificate: true,
            subject: { commonName: `${namePrefix} serving CA`, organization: "mlops" },
            validityPeriodHours: CA_VALIDITY_HOURS,
            earlyRenewalHours: CA_EARLY_RENEWAL_HOURS,
            allowedUses: ["cert_signing", "crl_signing"],
        },
        { parent },
    );
    return { keyPem: key.privateKeyPem, certPem: cert.certPem };
}

/** A server certificate for `dnsName`, signed by the CA and imported into ACM; returns the ACM certificate. */
export function issuedCertificate(
    parent: pulumi.Resource,
    prefix: string,
    o: { ca: ServingCa; commonName: string; dnsName: pulumi.Input<string>; tags: Record<string, string> },
): acm.Certificate {
    const key = new tls.PrivateKey(`${prefix}-tls-key`, { ...KEY }, { parent });
    // The load balancer's DNS name can pass the 64 characters a common name may hold: it goes in the SAN.
    const request = new tls.CertRequest(
        `${prefix}-tls-request`,
        { privateKeyPem: key.privateKeyPem, subject: { commonName: o.commonName, organization: "mlops" }, dnsNames: [o.dnsName] },
        { parent },
    );
    const cert = new tls.LocallySignedCert(
        `${prefix}-tls-cert`,
        {
            certRequestPem: request.certRequestPem,
            caPrivateKeyPem: o.ca.keyPem,
            caCertPem: o.ca.certPem,
            validityPeriodHours: SERVER_VALIDITY_HOURS,
            earlyRenewalHours: SERVER_EARLY_RENEWAL_HOURS,
            allowedUses: ["digital_signature", "key_encipherment", "server_auth"],
        },
        { parent },
    );
    return new acm.Certificate(
        `${prefix}-certificate`,
        { privateKey: key.privateKeyPem, certificateBody: cert.certPem, certificateChain: o.ca.certPem, tags: o.tags },
        { parent },
    );
}
