// Package standing is an environment that stays up between runs. `abload
// env up` starts the local environment's JVMs detached from abload (Up),
// recording each process by pid and start time in a state file, env.json,
// as it starts, so that a crashed or interrupted up can be cleaned up and a
// reused pid is never signalled; or the Docker environment's containers,
// which outlive abload, recording its run label before the first starts and
// each container's ID (the Docker kind's part is registered by package
// testcontainers: RegisterDocker). Runs attach to it with --env-file
// (Attached): one at a time (a lock), each checking that everything is up
// before it starts and that it left topics, jobs, TaskManagers and free
// slots as it found them. `env status` checks it (Check); `env down` stops
// it (Down).
package standing
