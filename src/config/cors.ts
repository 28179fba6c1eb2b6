// NIM 2.x's CORS variables (DESIGN §11), applied by the front: NIM_CORS_ALLOW_ORIGINS turns it on (a comma list,
// or `*`); the others default as Starlette's CORSMiddleware, which NIM 2.x's server uses: any method, any
// header, nothing exposed, preflights cached 600 s. Unset origins: no CORS headers from nimlet at all.
import { readInt, type Env } from './read.js';

export interface CorsPolicy {
  /** Allowed origins, or ['*'] for any. */
  origins: string[];
  methods: string[];
  headers: string[];
  expose: string[];
  maxAgeS: number;
}

const list = (raw: string | undefined): string[] | null => {
  if (raw === undefined || raw.trim() === '') return null;
  return raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
};

export function readCorsPolicy(env: Env): CorsPolicy | null {
  const origins = list(env.NIM_CORS_ALLOW_ORIGINS);
  if (origins === null || origins.length === 0) return null;
  return {
    // origins compare without a trailing slash, as browsers send them
    origins: origins.map((o) => o.replace(/\/+$/, '')),
    methods: (list(env.NIM_CORS_ALLOW_METHODS) ?? ['*']).map((m) => m.toUpperCase()),
    headers: (list(env.NIM_CORS_ALLOW_HEADERS) ?? ['*']).map((h) => h.toLowerCase()),
    expose: list(env.NIM_CORS_EXPOSE_HEADERS) ?? [],
    maxAgeS: readInt(env, 'NIM_CORS_MAX_AGE', 0, 31_536_000) ?? 600,
  };
}
