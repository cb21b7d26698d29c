/** Who is calling the control plane, and what they may do. */
export type Role = 'viewer' | 'operator';

export interface Principal {
  name: string;
  role: Role;
  /** Where the identity is defined: pcp.conf, the store's users table, or an API token. */
  source: 'pcp' | 'store' | 'token';
  via: 'session' | 'bearer';
}

export const ROLES: readonly Role[] = ['viewer', 'operator'];

export function isRole(v: unknown): v is Role {
  return v === 'viewer' || v === 'operator';
}

/** operator can do everything a viewer can. */
export function hasRole(p: Principal | null, needed: Role): boolean {
  if (!p) return false;
  return needed === 'viewer' || p.role === 'operator';
}
