#!/usr/bin/env bash
# Builds the credential-free pull-request report: per stack, the offline plan and the policy pack of the
# head, then `npm run diff` against the base commit (resources, cost delta, policy delta, every stack).
# Usage: .github/scripts/pr-report.sh <base-ref> <out-dir>
# Writes <out-dir>/report.md (the comment pr-comment.yml posts) and <out-dir>/status (ok or failed).
# Exits 1 only when the change is wrong: a stack's config is invalid (the plan fails) or a mandatory
# policy is violated; the report says which stack and why. Run by .github/workflows/pr-report.yml.
set -uo pipefail

base="${1:?usage: pr-report.sh <base-ref> <out-dir>}"
out="${2:?usage: pr-report.sh <base-ref> <out-dir>}"
mkdir -p "$out"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

reasons=()
details="$work/details.md"
: >"$details"

# Output of a failed command, fenced, inside a collapsed section.
section() {
    local title="$1" file="$2"
    {
        printf '<details><summary>%s</summary>\n\n````text\n' "$title"
        head -c 20000 "$file"
        printf '\n````\n\n</details>\n\n'
    } >>"$details"
}

stacks=()
for file in Pulumi.*.yaml; do
    stack="${file#Pulumi.}"
    stacks+=("${stack%.yaml}")
done

for stack in "${stacks[@]}"; do
    if ! npm run --silent plan -- --stack "$stack" --format text >"$work/plan.txt" 2>&1; then
        reasons+=("\`$stack\`: the stack's config is invalid or its program fails (offline plan)")
        section "$stack: offline plan failed" "$work/plan.txt"
        continue
    fi
    npm run --silent policy -- --stack "$stack" >"$work/policy.txt" 2>&1
    case $? in
        0) ;;
        1)
            reasons+=("\`$stack\`: a mandatory policy is violated")
            section "$stack: policy pack findings" "$work/policy.txt"
            ;;
        *)
            reasons+=("\`$stack\`: the policy pack could not run")
            section "$stack: policy pack error" "$work/policy.txt"
            ;;
    esac
done

diff_ok=true
if ! npm run --silent diff -- --base "$base" --all --format markdown >"$work/diff.md" 2>"$work/diff.err"; then
    diff_ok=false
fi

{
    echo "## mlops: what this pull request changes"
    echo
    if [ "${#reasons[@]}" -eq 0 ]; then
        echo "**OK**: every stack (${stacks[*]}) plans offline and passes the mandatory policies."
    else
        echo "**This change needs fixing:**"
        echo
        printf -- '- %s\n' "${reasons[@]}"
    fi
    echo
    if [ "$diff_ok" = true ]; then
        cat "$work/diff.md"
    else
        # The base commit may not plan (or may predate `npm run diff`): not a fault of this change.
        echo "_The per-stack diff against the base commit could not be computed:_"
        echo
        printf '````text\n'
        head -c 20000 "$work/diff.err"
        printf '\n````\n'
    fi
    echo
    cat "$details"
    echo "<sub>Offline plans, no cloud credentials: \`npm run --silent diff -- --base $base --all\` reproduces it.</sub>"
} >"$out/report.md"

if [ "${#reasons[@]}" -eq 0 ]; then
    echo ok >"$out/status"
else
    echo failed >"$out/status"
    printf '::error::%s\n' "${reasons[@]}"
    exit 1
fi
