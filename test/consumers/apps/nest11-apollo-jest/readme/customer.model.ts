// What the README's GraphQL snippet imports as "your @ObjectType() classes".
export { Account, Customer } from '../src/graphql/customer.model.js';
