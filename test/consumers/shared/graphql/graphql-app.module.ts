import { type DynamicModule, Module } from '@nestjs/common';
import { CandescentAuthModule, type CandescentAuthModuleOptions } from '@candescent/auth';
import { AuthController } from '../auth.controller.js';
import { CustomerResolver } from './customer.resolver.js';

/** A consumer's GraphQL app: the module, the REST login route of shared/, and a guarded resolver. */
@Module({})
export class GraphqlAppModule {
  /** `graphql` is the app's own `GraphQLModule.forRoot(...)`, with its driver (Apollo or Mercurius). */
  static forCandescent(options: CandescentAuthModuleOptions, graphql: DynamicModule): DynamicModule {
    return {
      module: GraphqlAppModule,
      imports: [CandescentAuthModule.forRoot(options), graphql],
      controllers: [AuthController],
      providers: [CustomerResolver],
    };
  }
}
