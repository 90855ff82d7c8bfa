/**
 * Entry module of the fictitious `shop` service (`shop.ts`), for the typed-env tests: its Durable Object and
 * Workflow classes, whose types `EnvOf` reads through `{ classes: typeof import("./shopWorker") }`.
 * Compiled by `tsconfig.worker.json` only; never run.
 */
import { DurableObject, WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import type { ShopEnv } from "./misuse";

/** A shopping cart per user. */
export class Cart extends DurableObject<ShopEnv> {
    /** Adds an item; returns the number of items. */
    addItem(sku: string): number {
        return sku.length;
    }
}

/** Params of a {@link Fulfilment} instance. */
export interface FulfilmentParams {
    readonly orderId: string;
}

/** Ships an order. */
export class Fulfilment extends WorkflowEntrypoint<ShopEnv, FulfilmentParams> {
    override async run(event: Readonly<WorkflowEvent<FulfilmentParams>>, step: WorkflowStep): Promise<string> {
        return step.do("ship", async () => event.payload.orderId);
    }
}

export default {
    async fetch(): Promise<Response> {
        return new Response("shop");
    },
} satisfies ExportedHandler<ShopEnv>;
