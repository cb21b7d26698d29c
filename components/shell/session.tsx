'use client';
import { createContext, useContext } from 'react';
import type { Me } from '../api';

export type SignedIn = NonNullable<Me>;

const SessionContext = createContext<SignedIn | null>(null);

export const SessionProvider = SessionContext.Provider;

/** The signed-in user (the shell renders pages only when there is one). */
export function useSession(): { user: SignedIn; canOperate: boolean } {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSession outside the signed-in shell');
  return { user, canOperate: user.role === 'operator' };
}
