// Package standing is an environment that stays up between runs. `abload
// env up` starts the local environment's JVMs detached from abload (Up),
// recording each process by pid and start time in a state file, env.json,
// as it starts, so that a crashed or interrupted up can be cleaned up and a
// reused pid is never signalled. Runs attach to it with --env-file
// (Attached): one at a time (a lock), each checking that everything is up
// before it starts and that it left topics, jobs, TaskManagers and free
// slots as it found them. `env status` checks it (Check); `env down` stops
// it (Down).
package standing
