import type { Reporter, TestCase } from '@playwright/test/reporter';

/**
 * Ends the run with one plain line, "e2e: N passed, N failed, N skipped", which CI reads as the
 * test count (the list reporter's own summary is spread over several lines).
 */
export default class SummaryReporter implements Reporter {
  private readonly tests = new Set<TestCase>();

  onTestEnd(test: TestCase): void {
    this.tests.add(test); // once per test, whatever its retries
  }

  onEnd(): void {
    const outcomes = [...this.tests].map((test) => test.outcome());
    const count = (...kinds: string[]): number =>
      outcomes.filter((outcome) => kinds.includes(outcome)).length;
    process.stdout.write(
      `\ne2e: ${count('expected', 'flaky')} passed, ${count('unexpected')} failed, ${count('skipped')} skipped\n`,
    );
  }

  printsToStdio(): boolean {
    return false;
  }
}
