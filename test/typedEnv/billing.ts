/**
 * Entry module of a fictitious `billing` service, for the typed-env tests (`misuse.ts`): a default
 * `WorkerEntrypoint` with one RPC method and a named entrypoint `Refunds`. Compiled by `tsconfig.worker.json`
 * only; never run.
 */
import { WorkerEntrypoint } from "cloudflare:workers";

/** The default entrypoint: what a binding `{ kind: "service", service: "billing" }` reaches. */
export default class Billing extends WorkerEntrypoint {
    /** Charges an amount in cents; resolves to a receipt id. */
    async charge(cents: number): Promise<string> {
        return `receipt-${cents}`;
    }

    override async fetch(): Promise<Response> {
        return new Response("billing");
    }
}

/** A named entrypoint: what `{ kind: "service", service: "billing", entrypoint: "Refunds" }` reaches. */
export class Refunds extends WorkerEntrypoint {
    /** Refunds a receipt; resolves to whether it was refunded. */
    async refund(receipt: string): Promise<boolean> {
        return receipt.length > 0;
    }
}
