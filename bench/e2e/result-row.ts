/** One number of `bench/results.json`. */
export interface ResultRecord {
  scenario: string;
  contender: string;
  metric: string;
  value: number;
  unit: string;
}
