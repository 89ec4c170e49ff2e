/**
 * Imported first by the Pulumi entry: on a Node.js older than package.json's `engines.node`, stops with
 * one line saying what is needed, before any SDK loads.
 */
import { assertSupportedNode } from "../scripts/check-node";

assertSupportedNode();
