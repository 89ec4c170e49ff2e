/** Container image references. */

/** True when an image is pinned by digest or by a tag other than `latest` (CKV_K8S_14, KSV-0013). */
export function isPinnedImage(image: string): boolean {
    if (image.includes("@sha256:")) return true;
    const lastSegment = image.split("/").pop() ?? image;
    const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
    return tag !== undefined && tag.length > 0 && tag !== "latest";
}

// The reference grammar of the OCI distribution spec (distribution/reference, `reference.go`):
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*   (at most 255 characters)
//   domain    := host [ ":" port ]; host := DNS labels joined by "." (or "localhost"); port := digits
//   path-component := [a-z0-9]+ ( ( "." | "_" | "__" | "-"+ ) [a-z0-9]+ )*
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127};  digest := algorithm ":" hex (sha256: 64 hex digits)
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
const DOMAIN =
    /^(?:localhost|(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;

/**
 * What is wrong with an image reference, or undefined when it is a valid one (`registry/repo:tag`,
 * `repo@sha256:...`). Catches what a registry would refuse only at deploy time: upper-case repository
 * names, spaces, a scheme (`https://`), an empty tag, a malformed digest.
 */
export function imageReferenceProblem(image: string): string | undefined {
    if (image.trim() !== image || /\s/.test(image)) return "contains whitespace";
    if (/^[a-z]+:\/\//i.test(image)) return "starts with a URL scheme; write the registry host without it";
    const [nameAndTag, digest, extra] = image.split("@");
    if (extra !== undefined) return "has more than one @digest";
    if (digest !== undefined && !DIGEST.test(digest)) return "has a malformed digest (expected e.g. sha256: and 64 hex digits)";
    if (digest !== undefined && digest.startsWith("sha256:") && digest.length !== "sha256:".length + 64)
        return "has a sha256 digest that is not 64 hex digits";
    const slash = nameAndTag.lastIndexOf("/");
    const colon = nameAndTag.lastIndexOf(":");
    const hasTag = colon > slash;
    const name = hasTag ? nameAndTag.slice(0, colon) : nameAndTag;
    const tag = hasTag ? nameAndTag.slice(colon + 1) : undefined;
    if (tag !== undefined && !TAG.test(tag))
        return `has an invalid tag ${JSON.stringify(tag)} (letters, digits, _ . -, at most 128, not starting with . or -)`;
    if (name.length === 0) return "has no repository name";
    if (name.length > 255) return "has a repository name longer than 255 characters";
    const parts = name.split("/");
    // The first part is a registry host when it has a dot or a port, or is localhost (as Docker decides).
    const hasDomain = parts.length > 1 && (/[.:]/.test(parts[0]) || parts[0] === "localhost");
    if (hasDomain && !DOMAIN.test(parts[0])) return `has an invalid registry host ${JSON.stringify(parts[0])}`;
    for (const part of hasDomain ? parts.slice(1) : parts) {
        if (!PATH_COMPONENT.test(part)) {
            return /[A-Z]/.test(part)
                ? `has upper-case letters in the repository path ${JSON.stringify(part)} (registries accept lower case only)`
                : `has an invalid repository path part ${JSON.stringify(part)} (lower-case letters and digits, separated by . _ __ or -)`;
        }
    }
    return undefined;
}
