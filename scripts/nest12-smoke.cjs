// Boots the built library on whatever Nest major the surrounding node_modules hold (run by
// scripts/nest12-smoke.sh with Nest 12, which is ESM-only and so cannot run under Jest on
// Node 20), then exercises institution token, login, an outgoing customer call and logout.
'use strict';
require('reflect-metadata');
const assert = require('node:assert/strict');
const path = require('node:path');

const lib = path.resolve(process.argv[2] ?? 'dist/libs');
const { CandescentAuthModule, CandescentTokenService, CandescentSessionService, CandescentAuthGuard, CandescentCustomer, CandescentHttpService } = require(path.join(lib, 'candescent-auth/src'));
const { CandescentSandbox } = require(path.join(lib, 'candescent-sandbox/src'));
const common = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { firstValueFrom } = require('rxjs');

async function main() {
  const sandbox = new CandescentSandbox();
  const baseUrl = await sandbox.start();

  class AccountsController {
    constructor(http) {
      this.http = http;
    }
    async list(customer) {
      const { data } = await firstValueFrom(this.http.get('/db-accounts/v1/accounts'));
      return { loginId: customer.loginId, data };
    }
  }
  common.Inject(CandescentHttpService)(AccountsController, undefined, 0);
  common.Controller('accounts')(AccountsController);
  common.UseGuards(CandescentAuthGuard)(AccountsController);
  const list = Object.getOwnPropertyDescriptor(AccountsController.prototype, 'list');
  CandescentCustomer()(AccountsController.prototype, 'list', 0);
  common.Get()(AccountsController.prototype, 'list', list);

  class AppModule {}
  common.Module({
    imports: [
      CandescentAuthModule.forRoot({ baseUrl, consumerKey: sandbox.credentials.consumerKey, consumerSecret: sandbox.credentials.consumerSecret, fiId: sandbox.credentials.fiId }),
    ],
    controllers: [AccountsController],
  })(AppModule);

  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const url = await app.getUrl();
  try {
    const tokens = app.get(CandescentTokenService);
    const token = await tokens.getInstitutionToken();
    assert.equal(token.service, 'v2');
    const login = await app.get(CandescentSessionService).login({ username: 'alice', password: 'Sandbox-Alice-2026!' });
    const res = await fetch(`${url}/accounts`, { headers: { authorization: `Bearer ${login.sessionToken}` } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.loginId, 'alice');
    assert.ok(Array.isArray(body.data.accounts) && body.data.accounts.length > 0);
    const unauth = await fetch(`${url}/accounts`);
    assert.equal(unauth.status, 401);
    console.log(`smoke ok on @nestjs/core ${require('@nestjs/core/package.json').version}: institution token, login, guarded outgoing call, 401`);
  } finally {
    await app.close();
    await sandbox.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
