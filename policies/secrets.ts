/**
 * Secret hygiene: nothing secret-looking travels as a plain-text binding, which Cloudflare shows in the
 * dashboard and the API returns in clear. Messages name the binding, never its value.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { onWorkerResources, WORKER_CODE } from "./stackView";

/** Settings of {@link noPlaintextSecrets}. */
export interface PlaintextSecretsConfig {
    /** Binding names never flagged (e.g. a public key). @default [] */
    readonly allowedNames: string[];
    /** Shortest value considered a possible token, in characters. @default 24 */
    readonly minTokenLength: number;
    /** Shannon entropy above which a token-shaped value counts as random, in bits per character. @default 3.5 */
    readonly minEntropyBitsPerChar: number;
}

/** Names that say "secret": `*_KEY`, `*TOKEN*`, `*SECRET*`, `*PASSWORD*`, `DATABASE_URL`, credentials. */
const SECRET_NAME = /(_KEY$|^KEY$|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|^DATABASE_URL$|_DSN$|CONNECTION_STRING)/i;
/** `scheme://user:password@host`: credentials embedded in a URL. */
const URL_CREDENTIALS = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;
/** Well-known token formats (GitHub, Stripe, Slack, AWS, PEM private keys, JWTs). */
const KNOWN_TOKENS = [
    /\bgh[pousr]_[A-Za-z0-9]{30,}/, /\bgithub_pat_[A-Za-z0-9_]{40,}/, /\b[sr]k_(live|test)_[A-Za-z0-9]{16,}/,
    /\bxox[abprs]-[A-Za-z0-9-]{10,}/, /\bAKIA[0-9A-Z]{16}\b/, /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
    /\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/,
];
/** Characters of base64, base64url and hex tokens. */
const TOKEN_SHAPE = /^[A-Za-z0-9+/=_-]+$/;

/** Shannon entropy of `text`, in bits per character. */
export function entropyBitsPerChar(text: string): number {
    const counts = new Map<string, number>();
    for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    let bits = 0;
    for (const n of counts.values()) {
        const p = n / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/**
 * Why a plain-text value looks secret, or undefined. Never returns the value itself.
 * @param value the binding's text.
 */
export function secretValueReason(value: string, config: Pick<PlaintextSecretsConfig, "minTokenLength" | "minEntropyBitsPerChar">): string | undefined {
    if (URL_CREDENTIALS.test(value)) return "its value is a URL with embedded credentials";
    if (KNOWN_TOKENS.some((re) => re.test(value))) return "its value has the format of a known access token or private key";
    const mixed = /[A-Za-z]/.test(value) && /[0-9]/.test(value);
    if (value.length >= config.minTokenLength && TOKEN_SHAPE.test(value) && mixed && entropyBitsPerChar(value) >= config.minEntropyBitsPerChar) {
        return "its value is a long random-looking token";
    }
    return undefined;
}

/** No secret-looking name or value in `plain_text` / `json` bindings. */
export const noPlaintextSecrets: ResourceValidationPolicy = {
    name: "no-plaintext-secrets",
    description: "Checks that no plain-text Worker binding, of a script or of a version, has a secret-looking name or value.",
    severity: "critical",
    enforcementLevel: "advisory",
    tags: ["security", "secrets"],
    url: "https://developers.cloudflare.com/workers/configuration/secrets/",
    remediationSteps: "Declare the binding as { kind: \"secret\" }, set its value with " +
        "`pulumi config set --secret --path 'platform:secrets.<service>.<NAME>' <value>`, and rotate the exposed value.",
    configSchema: {
        properties: {
            allowedNames: { type: "array", items: { type: "string" }, default: [], description: "Binding names never flagged." },
            minTokenLength: { type: "integer", minimum: 8, default: 24, description: "Shortest value considered a possible token, in characters." },
            minEntropyBitsPerChar: { type: "number", minimum: 0, default: 3.5, description: "Entropy above which a token-shaped value counts as random, in bits per character." },
        },
    },
    // A script's bindings and each version's: a versioned Worker uploads them with every WorkerVersion.
    validateResource: onWorkerResources<{ bindings?: PlainBinding[] }>(WORKER_CODE, ({ bindings }, { subject }, args, reportViolation) => {
        const config = args.getConfig<PlaintextSecretsConfig>();
        for (const binding of bindings ?? []) {
            if (binding.type !== "plain_text" && binding.type !== "json") continue;
            if (config.allowedNames.includes(binding.name)) continue;
            if (SECRET_NAME.test(binding.name)) {
                reportViolation(`${subject} binds ${binding.name} as plain text, but its name looks like a secret; bind it as secret_text.`);
                continue;
            }
            const text = binding.type === "json" ? binding.json : binding.text;
            const reason = typeof text === "string" ? secretValueReason(text, config) : undefined;
            if (reason !== undefined) {
                reportViolation(`${subject} binds ${binding.name} as plain text, but ${reason}; bind it as secret_text.`);
            }
        }
    }),
};

/** The binding fields this policy reads, the same on `WorkersScript` and `WorkerVersion`. */
type PlainBinding = { name: string; type: string; text?: string; json?: string };

/** The secret hygiene policies. */
export const secretPolicies = [noPlaintextSecrets];
