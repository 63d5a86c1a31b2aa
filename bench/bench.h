/* aegw-bench: one entry point per subcommand. */
#ifndef AEGW_BENCH_H
#define AEGW_BENCH_H

/* argv[0] is the subcommand name. Returns the process exit status. */
int bench_engine_main(int argc, char **argv);
int bench_dataplane_main(int argc, char **argv);
int bench_pcap_main(int argc, char **argv);
int bench_install_main(int argc, char **argv);
int bench_control_main(int argc, char **argv);

#endif
