export { grants, type Scope, scopes } from './scopes.ts';
export {
  createToken,
  ensureBootstrapToken,
  hashToken,
  listTokens,
  type Principal,
  revokeToken,
  type TokenDeps,
  type TokenInfo,
  verifyToken,
} from './tokens.ts';
