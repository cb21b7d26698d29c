/** Connections, authentication, SSL and pooling parameters (pgpool 4.3 `CONNECTION_CONFIG`, `CONNECTION_POOL_CONFIG`, `SSL_CONFIG`). */
import {
  boolParam,
  intParam,
  INT_MAX,
  listParam,
  stringParam,
  type ParamContext,
  type ParamDef,
} from '../registry-types';

const conn = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Connections',
});
const auth = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Authentication and SSL',
});
const pool = (doc: string, context: ParamContext, implemented = true) => ({
  doc,
  context,
  implemented,
  domain: 'Pools',
});

export const connectionParams: ParamDef[] = [
  stringParam(
    'listen_addresses',
    'localhost',
    conn("Addresses the proxy listens on: comma list, '*' for all, '' for the Unix socket only.", 'INIT'),
  ),
  // pgpool's code range is 1024..65535; pgwarden also accepts privileged ports (binding them is the OS's business).
  intParam('port', 9999, 1, 65535, conn('TCP port of the proxy.', 'INIT')),
  stringParam(
    'socket_dir',
    '/tmp',
    conn("Directory of the proxy's Unix socket .s.PGSQL.<port>; '' disables it.", 'INIT'),
  ),
  stringParam(
    'pcp_listen_addresses',
    'localhost',
    conn("Addresses the PCP server listens on ('*' for all).", 'INIT'),
  ),
  intParam('pcp_port', 9898, 1, 65535, conn('TCP port of the PCP server.', 'INIT')),
  stringParam(
    'pcp_socket_dir',
    '/tmp',
    conn("Directory of the PCP Unix socket .s.PGSQL.<pcp_port>; '' disables it.", 'INIT'),
  ),
  intParam(
    'listen_backlog_multiplier',
    2,
    1,
    INT_MAX,
    conn('listen() backlog = num_init_children x this.', 'INIT'),
  ),
  boolParam(
    'serialize_accept',
    false,
    conn('Serialize accept() across children (pgpool process model only).', 'INIT', false),
  ),
];

export const authParams: ParamDef[] = [
  boolParam('enable_pool_hba', false, auth('Authenticate clients with pool_hba.conf.', 'RELOAD')),
  stringParam(
    'pool_passwd',
    'pool_passwd',
    auth("pool_passwd file, relative to pgpool.conf's directory; '' disables it.", 'INIT'),
  ),
  {
    ...intParam(
      'authentication_timeout',
      60,
      0,
      INT_MAX,
      auth('Time limit for client authentication, 0 = none.', 'INIT'),
    ),
    unit: 's',
  },
  boolParam(
    'allow_clear_text_frontend_auth',
    false,
    auth('Ask clients for a clear-text password when pool_passwd has none.', 'RELOAD'),
  ),
  boolParam('ssl', false, auth('Accept SSL connections from clients (needs ssl_cert and ssl_key).', 'INIT')),
  stringParam('ssl_key', '', auth('SSL private key file (relative to pgpool.conf).', 'INIT')),
  stringParam('ssl_cert', '', auth('SSL certificate file (relative to pgpool.conf).', 'INIT')),
  stringParam('ssl_ca_cert', '', auth('CA certificates to verify client certificates.', 'INIT')),
  stringParam('ssl_ca_cert_dir', '', auth('Directory of CA certificates.', 'INIT', false)),
  stringParam('ssl_crl_file', '', auth('Certificate revocation list.', 'INIT', false)),
  stringParam(
    'ssl_ciphers',
    'HIGH:MEDIUM:+3DES:!aNULL',
    auth('Allowed SSL ciphers (OpenSSL syntax).', 'INIT', false),
  ),
  boolParam('ssl_prefer_server_ciphers', false, auth("Prefer the server's cipher order.", 'INIT', false)),
  stringParam('ssl_ecdh_curve', 'prime256v1', auth('Curve for ECDH key exchange.', 'INIT', false)),
  stringParam('ssl_dh_params_file', '', auth('Diffie-Hellman parameters file.', 'INIT', false)),
  stringParam(
    'ssl_passphrase_command',
    '',
    auth('Command that prints the passphrase of ssl_key.', 'INIT', false),
  ),
];

export const poolParams: ParamDef[] = [
  intParam(
    'num_init_children',
    32,
    1,
    INT_MAX,
    pool('Maximum number of concurrent client sessions.', 'INIT'),
  ),
  intParam(
    'reserved_connections',
    0,
    0,
    INT_MAX,
    pool("Sessions kept back: over the limit clients get 'sorry, too many clients'.", 'INIT'),
  ),
  intParam(
    'max_pool',
    4,
    1,
    INT_MAX,
    pool('Cached backend connection sets per session slot (user/database pairs).', 'INIT'),
  ),
  {
    ...intParam(
      'child_life_time',
      300,
      0,
      INT_MAX,
      pool('Recycle an idle session slot after this long, 0 = never.', 'INIT'),
    ),
    unit: 's',
  },
  intParam(
    'child_max_connections',
    0,
    0,
    INT_MAX,
    pool('Recycle a session slot after this many clients, 0 = never.', 'INIT'),
  ),
  {
    ...intParam(
      'connection_life_time',
      0,
      0,
      INT_MAX,
      pool('Close cached backend connections idle this long, 0 = never.', 'INIT'),
    ),
    unit: 's',
  },
  {
    ...intParam(
      'client_idle_limit',
      0,
      0,
      INT_MAX,
      pool('Disconnect a client idle this long, 0 = never.', 'SESSION'),
    ),
    unit: 's',
  },
  boolParam('connection_cache', true, pool('Keep backend connections open after the client leaves.', 'INIT')),
  listParam(
    'reset_query_list',
    ['ABORT', 'DISCARD ALL'],
    ';',
    pool('Statements (;-separated) that reset a cached connection.', 'RELOAD'),
  ),
];
