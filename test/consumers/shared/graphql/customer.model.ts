import { Field, ObjectType } from '@nestjs/graphql';

// Every field names its type: Vitest's transform emits no decorator metadata for @nestjs/graphql to read.
@ObjectType()
export class Account {
  @Field(() => String)
  id!: string;

  @Field(() => String)
  name!: string;
}

@ObjectType()
export class Customer {
  @Field(() => String)
  loginId!: string;

  @Field(() => String)
  fiId!: string;
}
