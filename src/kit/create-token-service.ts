import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { httpError } from './http-error.js';

/** Roles a token can carry; registration only ever yields `customer`. */
export type Role = 'customer' | 'admin';

/** What a verified token says about its bearer. */
export interface TokenClaims {
  userId: number;
  role: Role;
}

/** Signs and verifies the cluster's user tokens (HS256 only, so `alg: none` and other algorithms are refused). */
export interface TokenService {
  sign(claims: TokenClaims): Promise<string>;
  verify(token: string): Promise<TokenClaims>;
}

const ISSUER = 'ecom';
const LIFETIME = '1h';
/** Tokens verified recently, kept so a client's every request does not pay a signature check; oldest dropped first. */
const CACHE_SIZE = 10_000;

/** Creates the token service for a JWT signing secret shared by every instance of the cluster. */
export function createTokenService(secret: string): TokenService {
  const key = new TextEncoder().encode(secret);
  // The whole token (its signature included) is the key: only a token verified before, unchanged, is found.
  const verified = new Map<string, TokenClaims & { expiresAtMs: number }>();
  return {
    async sign({ userId, role }) {
      return new SignJWT({ role })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(String(userId))
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(LIFETIME)
        .sign(key);
    },
    async verify(token) {
      const known = verified.get(token);
      if (known && Date.now() < known.expiresAtMs) return { userId: known.userId, role: known.role };
      verified.delete(token);
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, requiredClaims: ['sub', 'exp'] });
        const userId = Number(payload.sub);
        const role = payload.role;
        if (!Number.isSafeInteger(userId) || userId < 1 || (role !== 'customer' && role !== 'admin')) {
          throw httpError(401, 'invalid_token', 'token claims are malformed');
        }
        if (verified.size >= CACHE_SIZE) verified.delete(verified.keys().next().value!);
        verified.set(token, { userId, role, expiresAtMs: payload.exp! * 1000 });
        return { userId, role };
      } catch (err) {
        if (err instanceof joseErrors.JWTExpired) throw httpError(401, 'token_expired', 'token has expired');
        if (err instanceof Error && 'status' in err) throw err;
        throw httpError(401, 'invalid_token', 'token is invalid');
      }
    },
  };
}
