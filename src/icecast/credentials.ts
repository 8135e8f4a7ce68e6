import type { Secret } from '../secret-file.js';
import type { ResolvedTarget } from './target.js';

/** Passwords that may change while the source runs (given as *_FILE); the target's own ones otherwise. */
export interface IcecastSecrets {
  /** The source password. */
  readonly password?: Secret;
  /** The admin password, when the target has an admin user. */
  readonly adminPassword?: Secret;
}

/**
 * The target with its passwords as their files hold them now. Icecast reloads its config on SIGHUP with a new
 * source password while this source runs, so every connect and admin request asks here, never per frame.
 */
export class IcecastCredentials {
  readonly #base: ResolvedTarget;
  readonly #password: Secret | undefined;
  /** Undefined without an admin user: title updates then go with the source password. */
  readonly #adminPassword: Secret | undefined;
  readonly #now: () => number;
  #target: ResolvedTarget;
  /** When a refresh last found a new source password (on `now`'s scale). */
  #passwordChangedAt: number | undefined;

  constructor(target: ResolvedTarget, secrets: IcecastSecrets = {}, now: () => number = () => performance.now()) {
    this.#base = target;
    this.#now = now;
    this.#password = secrets.password;
    this.#adminPassword = target.hasAdmin ? secrets.adminPassword : undefined;
    this.#target = this.#compose();
  }

  /** The target with the passwords last read. */
  get target(): ResolvedTarget {
    return this.#target;
  }

  /** Milliseconds since a refresh found a new source password; undefined when it never did. */
  get sincePasswordChangeMs(): number | undefined {
    return this.#passwordChangedAt === undefined ? undefined : this.#now() - this.#passwordChangedAt;
  }

  /** Reads the password files that changed (all of them when forced), then gives the target. Never rejects. */
  async refresh(options: { force?: boolean } = {}): Promise<ResolvedTarget> {
    await Promise.all([this.#password?.refresh(options), this.#adminPassword?.refresh(options)]);
    const next = this.#compose();
    if (next.password !== this.#target.password) this.#passwordChangedAt = this.#now();
    if (next.password !== this.#target.password || next.metadataPassword !== this.#target.metadataPassword) this.#target = next;
    return this.#target;
  }

  #compose(): ResolvedTarget {
    const password = this.#password?.current() ?? this.#base.password;
    const metadataPassword = this.#adminPassword?.current() ?? (this.#base.hasAdmin ? this.#base.metadataPassword : password);
    return Object.freeze({ ...this.#base, password, metadataPassword });
  }
}
