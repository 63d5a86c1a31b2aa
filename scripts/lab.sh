# A lab of network namespaces joined by veth pairs, for `make demo` and the
# tests that put aegw between real peers. Sourced, not run:
#
#   . scripts/lab.sh
#   lab_init demo                  # names start "demo-"; cleanup on exit
#   lab_ns ue ue                   # $ue: an empty namespace with lo up
#   lab_veth "$ue" ue0 10.0.0.2/24 "$gw" acc -
#   lab_bg "$ue" ffmpeg ...        # killed by the cleanup
#
# Nothing here touches the root namespace: every address, route and
# process lives in a namespace the lab made and deletes. Needs root.

LAB_NS=""
LAB_PIDS=""
LAB_CLEANUP_HOOK=:

lab_init() { # PREFIX
	LAB_PREFIX=$1
	trap lab_cleanup EXIT
	trap 'exit 130' INT TERM
}

# Sets VAR to the new namespace's full name. Not through $(...): the list
# the cleanup walks must be the caller's own.
lab_ns() { # VAR NAME
	_ns="$LAB_PREFIX-$2"
	ip netns del "$_ns" 2>/dev/null || true
	ip netns add "$_ns"
	LAB_NS="$LAB_NS $_ns"
	ip -n "$_ns" link set lo up
	eval "$1=\$_ns"
}

# One veth pair; ADDR "-" leaves that end without an address (a DPDK
# af_packet port takes it whole).
lab_veth() { # NS_A IF_A ADDR_A NS_B IF_B ADDR_B
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	lab_if_up "$1" "$2" "$3"
	lab_if_up "$4" "$5" "$6"
}

lab_if_up() { # NS IF ADDR
	[ "$3" = - ] || ip -n "$1" addr add "$3" dev "$2"
	ip -n "$1" link set "$2" up
	# veth leaves UDP checksums to the receiver (CHECKSUM_PARTIAL): an
	# af_packet reader would see them unfinished. Real NICs finish them.
	ip netns exec "$1" ethtool -K "$2" tx off >/dev/null 2>&1 || true
}

# Runs CMD in NS in the background; its pid is in $LAB_PID and the cleanup
# kills it.
lab_bg() { # NS CMD...
	_ns=$1; shift
	ip netns exec "$_ns" "$@" &
	LAB_PID=$!
	LAB_PIDS="$LAB_PIDS $LAB_PID"
}

lab_cleanup() {
	_rc=$?
	trap - EXIT INT TERM
	$LAB_CLEANUP_HOOK
	for _p in $LAB_PIDS; do kill "$_p" 2>/dev/null || true; done
	for _p in $LAB_PIDS; do wait "$_p" 2>/dev/null || true; done
	for _ns in $LAB_NS; do ip netns del "$_ns" 2>/dev/null || true; done
	exit $_rc
}

# aegw-dataplane in namespace NS on the veth ends "acc" (DPDK port 0,
# aegw 10.0.0.1/24) and "cor" (port 1, 192.168.0.1/24), one worker,
# without hugepages; its EAL file prefix is the instance name. Returns
# once the ring exists ($LAB_PID is the dataplane), or fails.
lab_dataplane() { # NS DATAPLANE INSTANCE LOG
	lab_bg "$1" "$2" -l 0,1 --no-huge -m 512 --no-pci --file-prefix "$3" \
		--log-level '*:warning' \
		--vdev net_af_packet0,iface=acc --vdev net_af_packet1,iface=cor -- \
		--instance "$3" --addr 0:10.0.0.1/24 --addr 1:192.168.0.1/24 \
		--unlink-at-exit >"$4" 2>&1
	lab_wait 10 test -e "/dev/shm/aegw-$3"
}

# Waits until CMD succeeds, up to SECONDS; fails otherwise.
lab_wait() { # SECONDS CMD...
	_t=$(($1 * 5)); shift
	while [ $_t -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
		_t=$((_t - 1))
	done
	return 1
}
