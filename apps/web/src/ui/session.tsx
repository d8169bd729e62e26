'use client';
import { createContext, useContext } from 'react';
import type { User } from './types.ts';

export const SessionContext = createContext<User | undefined>(undefined);

/** The signed-in user (inside the signed-in pages). */
export function useMe(): User {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useMe outside the signed-in layout');
  return me;
}
