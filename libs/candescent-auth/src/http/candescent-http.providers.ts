import { HttpService } from '@nestjs/axios';
import { Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import axios from 'axios';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentHttpInterceptor } from './candescent-http.interceptor';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/**
 * The `HttpService` for calls to Candescent: its own axios instance (never the process-wide
 * default) with `baseURL` set to the Candescent base URL and the outgoing interceptor
 * installed, so `http.get('/db-accounts/v1/accounts')` carries the right token. A class of its
 * own, so it never takes the place of an `HttpService` the app registers for other APIs.
 */
@Injectable()
export class CandescentHttpService extends HttpService {}

export const candescentHttpServiceProvider: Provider = {
  provide: CandescentHttpService,
  useFactory: (options: ResolvedCandescentAuthOptions) =>
    new CandescentHttpService(
      axios.create({ baseURL: options.baseUrl, timeout: options.requestTimeoutMs, maxRedirects: 5 }),
    ),
  inject: [CANDESCENT_RESOLVED_OPTIONS],
};

/** Installs the interceptor on the module's HttpService when the module starts. */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHttpInstaller implements OnModuleInit {
  constructor(
    private readonly http: CandescentHttpService,
    private readonly interceptor: CandescentHttpInterceptor,
  ) {}

  onModuleInit(): void {
    this.interceptor.attach(this.http.axiosRef);
  }
}
