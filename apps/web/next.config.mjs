// JavaScript, not TypeScript: Next.js compiles a next.config.ts with its native SWC binding at
// every start, which keeps about 30 MB of native code mapped in the production server.
/** @type {import('next').NextConfig} */
const config = {
  // Workspace packages ship TypeScript sources (Node 24 runs them directly).
  transpilePackages: [
    '@cronium/contracts',
    '@cronium/db',
    '@cronium/crypto',
    '@cronium/logger',
    '@cronium/accounts',
    '@cronium/auth',
    '@cronium/service-kit',
    '@cronium/event-service',
    '@cronium/run-queue',
    '@cronium/scheduler',
    '@cronium/executors',
    '@cronium/egress',
    '@cronium/log-masking',
  ],
  serverExternalPackages: ['pg', 'pino', 'pino-pretty', '@node-rs/argon2', 'jsonwebtoken', 'ssh2'],
  poweredByHeader: false,
  // Only the components a page uses are bundled (Mantine's barrel files export all of them).
  experimental: { optimizePackageImports: ['@mantine/core', '@mantine/hooks'] },
  // API answers are small JSON; gzipping each cost more CPU than the bytes saved on the
  // loopback or LAN hops Cronium runs behind (a reverse proxy may compress for the internet).
  compress: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: './tsconfig.json' },
  webpack: (webpackConfig, { isServer }) => {
    // Sources import siblings with explicit `.ts` extensions.
    webpackConfig.resolve.extensionAlias = { '.js': ['.ts', '.tsx', '.js'] };
    // Native and CommonJS-only dependencies of workspace packages are loaded by Node at run
    // time, not bundled (apps/web lists them so they resolve from here).
    if (isServer)
      webpackConfig.externals = [
        ...(Array.isArray(webpackConfig.externals) ? webpackConfig.externals : []),
        {
          '@node-rs/argon2': 'commonjs @node-rs/argon2',
          jsonwebtoken: 'commonjs jsonwebtoken',
          ssh2: 'commonjs ssh2',
        },
      ];
    return webpackConfig;
  },
};

export default config;
