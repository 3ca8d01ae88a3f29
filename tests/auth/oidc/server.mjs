// A real OAuth 2.0 authorization server (oidc-provider 9.x) plus a tiny protected API, for tests.
//
// Env: OIDC_PROVIDER_MODULE (file URL of oidc-provider's entry), PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URIS (comma-separated), ACCESS_TOKEN_TTL (s).
// Routes besides the provider's own: /interaction/:uid (auto-login of login_hint, auto-consent),
// GET /api/whoami (bearer token checked with the provider; 401 when expired or revoked),
// GET /control/stats (refresh-grant requests, grant errors), POST /control/revoke?account=ID.
import http from 'node:http';
// The provider lives in .peers/node_modules (ESM ignores NODE_PATH): its entry file comes in.
const { default: Provider } = await import(process.env.OIDC_PROVIDER_MODULE);

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const stats = { refresh_requests: 0, code_requests: 0, grant_errors: [], revocations: 0 };
const grantsByAccount = new Map();

const provider = new Provider(issuer, {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: process.env.REDIRECT_URIS.split(','),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async () => true,
  features: {
    devInteractions: { enabled: false },
    revocation: { enabled: true },
    introspection: { enabled: true },
  },
  ttl: {
    AccessToken: Number(process.env.ACCESS_TOKEN_TTL || 3600),
    Grant: 3600, Interaction: 600, Session: 3600, AuthorizationCode: 120,
    RefreshToken: 24 * 3600,
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (ctx, id) => ({ accountId: id, claims: async () => ({ sub: id }) }),
});
provider.proxy = false;

provider.use(async (ctx, next) => {
  await next();
  if (ctx.path === '/token' && ctx.method === 'POST') {
    const grantType = ctx.oidc?.params?.grant_type;
    if (grantType === 'refresh_token') stats.refresh_requests += 1;
    if (grantType === 'authorization_code') stats.code_requests += 1;
  }
});
provider.on('grant.error', (ctx, error) => {
  stats.grant_errors.push(`${error.error}: ${error.error_detail || error.message}`);
});
provider.on('grant.success', (ctx) => {
  const token = ctx.oidc.entities.AccessToken;
  if (token) {
    const grants = grantsByAccount.get(token.accountId) || new Set();
    grants.add(token.grantId);
    grantsByAccount.set(token.accountId, grants);
  }
});
provider.on('grant.revoked', () => { stats.revocations += 1; });

async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params } = details;
  const accountId = details.session?.accountId || params.login_hint;
  if (!accountId) {
    res.writeHead(400, { 'content-type': 'text/plain' });
    res.end('login_hint required');
    return;
  }
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    return;
  }
  let grant = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  if (!grant) grant = new provider.Grant({ accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

async function whoami(req, res) {
  const header = req.headers.authorization || '';
  const value = header.startsWith('Bearer ') ? header.slice(7) : '';
  const token = value ? await provider.AccessToken.find(value) : undefined;
  if (!token || token.isExpired) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
    res.end(JSON.stringify({ error: 'invalid_token' }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ sub: token.accountId, scope: token.scope || '' }));
}

async function revokeAccount(url, res) {
  const account = url.searchParams.get('account');
  const grants = grantsByAccount.get(account) || new Set();
  for (const grantId of grants) {
    await provider.AccessToken.revokeByGrantId(grantId);
    await provider.RefreshToken.revokeByGrantId(grantId);
    await provider.AuthorizationCode.revokeByGrantId(grantId);
    const grant = await provider.Grant.find(grantId);
    if (grant) await grant.destroy();
  }
  grantsByAccount.delete(account);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ revoked: grants.size }));
}

const callback = provider.callback();
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  try {
    if (url.pathname.startsWith('/interaction/')) return await interaction(req, res);
    if (url.pathname === '/api/whoami') return await whoami(req, res);
    if (url.pathname === '/control/stats') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify(stats));
    }
    if (url.pathname === '/control/revoke' && req.method === 'POST') return await revokeAccount(url, res);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' });
    return res.end(String(error));
  }
  return callback(req, res);
});
server.listen(port, '127.0.0.1', () => { console.log(`oidc listening on ${issuer}`); });
