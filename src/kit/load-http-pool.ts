import type { Pool as UndiciPool } from 'undici';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import PoolClass from 'undici/lib/dispatcher/pool.js';
import api from 'undici/lib/api/index.js';

// What undici's index does to give every dispatcher `request`, `stream`, ... — without loading the rest of the index:
// its fetch, WebSocket and cookie parts touch globalThis.Headers and File at load, which pulls in node's own copy of
// undici as well: about 120 ms of CPU and 8 MB in every service process, for code a service never calls.
Object.assign(Dispatcher.prototype, api);

/** undici's keep-alive connection pool to one origin (the same class `import { Pool } from 'undici'` gives). */
export const Pool: typeof UndiciPool = PoolClass;
/** An instance of Pool. */
export type Pool = UndiciPool;
