/** Container image references. */

/** True when an image is pinned by digest or by a tag other than `latest` (CKV_K8S_14, KSV-0013). */
export function isPinnedImage(image: string): boolean {
    if (image.includes("@sha256:")) return true;
    const lastSegment = image.split("/").pop() ?? image;
    const tag = lastSegment.includes(":") ? lastSegment.split(":").pop() : undefined;
    return tag !== undefined && tag.length > 0 && tag !== "latest";
}
