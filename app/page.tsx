import { Overview } from '@/components/overview/overview';

// Live data only: never prerender the cluster views.
export const dynamic = 'force-dynamic';

export default function HomePage() {
  return <Overview />;
}
