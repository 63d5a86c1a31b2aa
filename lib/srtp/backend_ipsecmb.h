/* The ipsec-mb manager choice, shared by the engine and aegw-bench. */
#ifndef AEGW_BACKEND_IPSECMB_H
#define AEGW_BACKEND_IPSECMB_H

#include <intel-ipsec-mb.h>

/* Initialises mgr for the CPU, or as AEGW_IMB_ARCH says. 0 or aegw_err. */
int aegw_imb_init_arch(IMB_MGR *mgr);

#endif
