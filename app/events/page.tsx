import { EventsView } from '@/components/events/events-view';

// Live data only: never prerender the cluster views.
export const dynamic = 'force-dynamic';

export default function Page() {
  return <EventsView />;
}
