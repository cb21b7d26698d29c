/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The engine runs in its own worker; these packages are loaded by Node at run time, not bundled.
  serverExternalPackages: [
    'pg',
    'libpg-query',
    'better-sqlite3',
    '@prisma/adapter-better-sqlite3',
    '@prisma/adapter-pg',
  ],
  typescript: { ignoreBuildErrors: false },
  devIndicators: false,
};
export default nextConfig;
