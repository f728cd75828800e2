import { HttpService } from '@nestjs/axios';
import { Inject, Injectable, type OnModuleInit, type Provider } from '@nestjs/common';
import axios, { type AxiosPromise, type AxiosRequestConfig, type AxiosResponse, type CancelTokenSource } from 'axios';
import { Observable } from 'rxjs';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';
import type { ResolvedCandescentAuthOptions } from '../options/candescent-auth.defaults';
import { CandescentInstitutions } from '../institutions/candescent-institutions.service';
import { CandescentHttpInterceptor } from './candescent-http.interceptor';
import { axiosConnectionSettings } from './candescent-http.options';
import { RedactedWhenPrinted } from '../logging/redacted-when-printed';

/**
 * The `HttpService` for calls to Candescent: its own axios instance (never the process-wide
 * default) with `baseURL` set to the Candescent base URL and the outgoing interceptor
 * installed, so `http.get('/db-accounts/v1/accounts')` carries the right token. A class of its
 * own, so it never takes the place of an `HttpService` the app registers for other APIs.
 */
@Injectable()
export class CandescentHttpService extends HttpService {
  /** Bound clients by institution id, made once each. */
  readonly #bound = new Map<string, CandescentHttpService>();
  #bind?: (institution: string) => CandescentHttpService;

  /**
   * A client whose calls are for one institution: its gateway for relative URLs, its FI id,
   * and its institution token (or the customer's token, inside a request of that institution's
   * customer). With one institution there is no need for it.
   * @throws CandescentInvalidRequestError (400 `UNKNOWN_INSTITUTION`) when the module does not serve it
   */
  forInstitution(institution: string): CandescentHttpService {
    const known = this.#bound.get(institution);
    if (known) return known;
    if (!this.#bind)
      throw new Error("CandescentHttpService.forInstitution() is for the module's own CandescentHttpService.");
    const bound = this.#bind(institution);
    this.#bound.set(institution, bound);
    return bound;
  }

  /**
   * @internal As `HttpService` does it, with one step less: a call that has already settled is
   * not cancelled when its subscriber goes (as it does after every answer). Cancelling builds
   * axios's `CanceledError`, stack trace included, the costliest step of a finished call, and
   * there is nothing left to cancel. Unsubscribing while the call is in flight still cancels it.
   */
  protected override makeObservable<T>(
    send: (...args: unknown[]) => AxiosPromise<T>,
    ...args: unknown[]
  ): Observable<AxiosResponse<T>> {
    return new Observable<AxiosResponse<T>>((subscriber) => {
      const copy = [...args];
      const last = copy.length - 1;
      const config: AxiosRequestConfig = { ...((copy[last] as AxiosRequestConfig | undefined) ?? {}) };
      copy[last] = config;
      let source: CancelTokenSource | undefined;
      if (!config.cancelToken) {
        source = axios.CancelToken.source();
        config.cancelToken = source.token;
      }
      let settled = false;
      send(...copy)
        .then((response) => {
          settled = true;
          subscriber.next(response);
          subscriber.complete();
        })
        .catch((error: unknown) => {
          settled = true;
          subscriber.error(error);
        });
      return () => {
        if (settled || config.responseType === 'stream') return;
        source?.cancel();
      };
    });
  }

  /** @internal Set once by the module: how a bound client is made. */
  static setBinder(http: CandescentHttpService, bind: (institution: string) => CandescentHttpService): void {
    http.#bind = bind;
  }
}

/** The axios instance of a module client: the default gateway (calls for another institution are sent to its own). */
function candescentAxios(options: ResolvedCandescentAuthOptions, institution?: string) {
  return axios.create({
    baseURL: options.baseUrl,
    timeout: options.requestTimeoutMs,
    maxRedirects: 5,
    ...axiosConnectionSettings(options.http),
    ...(institution === undefined ? {} : { candescentInstitution: institution }),
  });
}

export const candescentHttpServiceProvider: Provider = {
  provide: CandescentHttpService,
  useFactory: (options: ResolvedCandescentAuthOptions) => new CandescentHttpService(candescentAxios(options)),
  inject: [CANDESCENT_RESOLVED_OPTIONS],
};

/** Installs the interceptor on the module's HttpService when the module starts. */
@RedactedWhenPrinted()
@Injectable()
export class CandescentHttpInstaller implements OnModuleInit {
  constructor(
    private readonly http: CandescentHttpService,
    private readonly interceptor: CandescentHttpInterceptor,
    private readonly institutions: CandescentInstitutions,
    @Inject(CANDESCENT_RESOLVED_OPTIONS) private readonly options: ResolvedCandescentAuthOptions,
  ) {}

  onModuleInit(): void {
    this.interceptor.attach(this.http.axiosRef);
    CandescentHttpService.setBinder(this.http, (institution) => {
      this.institutions.runtime(institution);
      const bound = new CandescentHttpService(candescentAxios(this.options, institution));
      this.interceptor.attach(bound.axiosRef);
      return bound;
    });
  }
}
