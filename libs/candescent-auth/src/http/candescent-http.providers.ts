import { HttpService } from '@nestjs/axios';
import { Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import axios from 'axios';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentHttpInterceptor } from './candescent-http.interceptor';

/**
 * The module's own `HttpService`: a dedicated axios instance (never the process-wide default)
 * with `baseURL` set to the Candescent base URL, so `http.get('/db-accounts/v1/accounts')` works.
 */
export const candescentHttpServiceProvider: Provider = {
  provide: HttpService,
  useFactory: (options: ResolvedCandescentAuthOptions) =>
    new HttpService(axios.create({ baseURL: options.baseUrl, timeout: options.requestTimeoutMs })),
  inject: [CANDESCENT_RESOLVED_OPTIONS],
};

/** Installs the interceptor on the module's HttpService when the module starts. */
@Injectable()
export class CandescentHttpInstaller implements OnModuleInit {
  constructor(
    private readonly http: HttpService,
    private readonly interceptor: CandescentHttpInterceptor,
  ) {}

  onModuleInit(): void {
    this.interceptor.attach(this.http.axiosRef);
  }
}
