import type { Command } from 'commander';
import type { Context } from '../../app/context.js';
import type { Action } from '../main.js';
import { defineCalibrate } from './calibrate.js';
import { defineDashboard } from './dashboard.js';
import { defineDemote } from './demote.js';
import { defineDocs } from './docs.js';
import { defineEval } from './eval.js';
import { defineGitHub } from './github.js';
import { defineInit } from './init.js';
import { defineLog } from './log.js';
import { definePin } from './pin.js';
import { definePromote } from './promote.js';
import { definePrompt } from './prompt.js';
import { defineReport } from './report.js';
import { defineReview } from './review.js';
import { defineRevert } from './revert.js';
import { defineRuns } from './runs.js';
import { defineSchema } from './schema.js';
import { defineTrace } from './trace.js';
import { defineValidate } from './validate.js';

/** Wraps an action so that main() owns its exit code and errors. */
export type Wrap = (action: Action) => (...args: unknown[]) => Promise<void>;
/** `ctx`: what every command reads of the world outside its files, built once by main(). */
export type DefineCommand = (program: Command, wrap: Wrap, ctx: Context) => void;

export const COMMANDS: DefineCommand[] = [defineInit, defineValidate, defineSchema, defineEval, definePin, definePrompt, defineRuns, defineReview, defineRevert, defineTrace, defineLog, definePromote, defineDemote, defineDocs, defineDashboard, defineReport, defineCalibrate, defineGitHub];
