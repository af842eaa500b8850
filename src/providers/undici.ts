// The parts of undici aigov uses, imported one by one. The package's index loads
// all of it (fetch, cookies, web sockets, caches, mocks), and its cookies module
// makes Node load its own built-in copy too: about 60 ms of start-up and 8 MiB
// that a run never uses.
import type * as Undici from 'undici';
import AgentClass from 'undici/lib/dispatcher/agent.js';
import EnvHttpProxyAgentClass from 'undici/lib/dispatcher/env-http-proxy-agent.js';
import createRedirectInterceptor from 'undici/lib/interceptor/redirect.js';
import api from 'undici/lib/api/index.js';
import DispatcherClass from 'undici/lib/dispatcher/dispatcher.js';

// What the index does besides exporting: dispatchers get request(), connect() and the
// rest, which undici's own proxy agent calls.
Object.assign((DispatcherClass as { prototype: object }).prototype, api);

export type { Dispatcher } from 'undici';
export const Agent = AgentClass as typeof Undici.Agent;
export const EnvHttpProxyAgent = EnvHttpProxyAgentClass as typeof Undici.EnvHttpProxyAgent;
export const redirectInterceptor = createRedirectInterceptor as typeof Undici.interceptors.redirect;
