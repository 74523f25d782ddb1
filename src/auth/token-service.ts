import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database } from '../backends/database/database.js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors.js';
import { newId } from '../tracking/run-service.js';

export const ROLES = ['viewer', 'editor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface ApiToken {
  tokenId: string;
  name: string;
  role: Role;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

const TOKEN_PREFIX = 'ferry_';
/** How often last_used_at is written for a busy token: once a minute is enough to audit, and keeps reads write-free. */
const TOUCH_INTERVAL_MS = 60_000;

/** Tokens are 256 random bits, so one SHA-256 is a sufficient hash; a slow KDF would only slow every request. */
function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** API tokens: created once (the secret is shown only then), stored hashed, revocable. */
export class TokenService {
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly database: Database,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(name: string, role: string): Promise<{ token: string; info: ApiToken }> {
    if (!/^[\w.@-]{1,100}$/.test(name)) throw new InvalidArgumentError(`Invalid token name '${name}': use 1-100 letters, digits, '.', '@', '_' or '-'.`);
    if (!ROLES.includes(role as Role)) throw new InvalidArgumentError(`Invalid role '${role}': use one of ${ROLES.join(', ')}.`);
    const taken = () => new AlreadyExistsError(`A token named '${name}' already exists (names stay taken after a revoke, so the audit trail stays unambiguous); pick another name.`);
    const existing = await this.database.db.selectFrom('api_tokens').select('token_id').where('name', '=', name).executeTakeFirst();
    if (existing) throw taken();
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const info: ApiToken = { tokenId: newId().slice(0, 16), name, role: role as Role, createdAt: this.clock(), lastUsedAt: null, revokedAt: null };
    try {
      await this.database.db
        .insertInto('api_tokens')
        .values({ token_id: info.tokenId, name, role, token_hash: hashToken(token), created_at: info.createdAt, last_used_at: null, revoked_at: null })
        .execute();
    } catch (err) {
      // Lost a race with a concurrent create of the same name.
      if (await this.database.db.selectFrom('api_tokens').select('token_id').where('name', '=', name).executeTakeFirst()) throw taken();
      throw err;
    }
    return { token, info };
  }

  async list(): Promise<ApiToken[]> {
    const rows = await this.database.db.selectFrom('api_tokens').selectAll().orderBy('created_at').execute();
    return rows.map(toToken);
  }

  /** Revokes by name or id. Idempotent for an already revoked token. */
  async revoke(nameOrId: string): Promise<ApiToken> {
    const row = await this.database.db
      .selectFrom('api_tokens')
      .selectAll()
      .where((eb) => eb.or([eb('name', '=', nameOrId), eb('token_id', '=', nameOrId)]))
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`No token named '${nameOrId}'. See \`ferry tokens list\`.`);
    if (row.revoked_at === null) {
      await this.database.db.updateTable('api_tokens').set({ revoked_at: this.clock() }).where('token_id', '=', row.token_id).execute();
    }
    return toToken({ ...row, revoked_at: row.revoked_at ?? this.clock() });
  }

  /** The live token matching `secret`, or undefined. Compares hashes in constant time. */
  async verify(secret: string): Promise<ApiToken | undefined> {
    if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return undefined;
    const hash = hashToken(secret);
    const row = await this.database.db.selectFrom('api_tokens').selectAll().where('token_hash', '=', hash).executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    if (!timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return undefined;
    const now = this.clock();
    if (now - (this.touched.get(row.token_id) ?? 0) > TOUCH_INTERVAL_MS) {
      this.touched.set(row.token_id, now);
      await this.database.db.updateTable('api_tokens').set({ last_used_at: now }).where('token_id', '=', row.token_id).execute();
    }
    return toToken(row);
  }
}

function toToken(r: { token_id: string; name: string; role: string; created_at: number; last_used_at: number | null; revoked_at: number | null }): ApiToken {
  return {
    tokenId: r.token_id,
    name: r.name,
    role: r.role as Role,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
    revokedAt: r.revoked_at === null ? null : Number(r.revoked_at),
  };
}
