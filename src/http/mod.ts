/**
 * Guards shared by every HTTP face: the bearer key (constant time), Host and
 * Origin against DNS rebinding, request bodies with a cap and a deadline,
 * and noticing a client that went away (a cancelled response stream).
 *
 * @module
 */
export { bearerDigest, bearerIndex, bearerMatches } from "./bearer.ts";
export { hostAllowed, isLoopbackHost, originAllowed } from "./origin.ts";
export { type BodyRead, readBody, type ReadBodyOptions } from "./body.ts";
export { onClientGone } from "./disconnect.ts";
