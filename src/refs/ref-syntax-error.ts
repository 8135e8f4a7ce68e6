import { quoteInput, RelaycastError } from '../errors.js';

/** A ref that is not in the ref grammar; `problem` says what is wrong, for callers that word their own message. */
export class RefSyntaxError extends RelaycastError {
  readonly ref: string;
  readonly problem: string;

  constructor(ref: string, problem: string) {
    super('ERR_REF_SYNTAX', `bad ref ${quoteInput(ref, 80)}: ${problem}`);
    this.ref = ref;
    this.problem = problem;
  }
}
