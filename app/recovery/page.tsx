import { Suspense } from 'react';
import { RecoveryView } from '@/components/recovery/recovery-view';

// Live data only: never prerender the cluster views.
export const dynamic = 'force-dynamic';

export default function Page() {
  // The selected run is in the query string (useSearchParams needs a Suspense boundary).
  return (
    <Suspense>
      <RecoveryView />
    </Suspense>
  );
}
