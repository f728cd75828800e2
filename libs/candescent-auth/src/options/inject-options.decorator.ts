import { Inject } from '@nestjs/common';
import { CANDESCENT_RESOLVED_OPTIONS } from '../candescent-auth.constants';

/** Injects the validated module options (`ResolvedCandescentAuthOptions`), defaults merged. */
export const InjectCandescentAuthOptions = (): PropertyDecorator & ParameterDecorator =>
  Inject(CANDESCENT_RESOLVED_OPTIONS);
