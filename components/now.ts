'use client';
import { useEffect, useState } from 'react';

/** A clock for "5 s ago" labels, ticking every second like the tables' refresh. */
export function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 1000);
    return () => clearInterval(t);
  }, []);
  return now;
}
