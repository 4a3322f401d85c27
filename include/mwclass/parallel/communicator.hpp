#pragma once
// The only door to MPI. Everything above it exchanges byte buffers through
// this facade; <mpi.h> is included by src/parallel/ alone. A run without
// mpirun is a world of one rank.
#include <memory>
#include <string>
#include <vector>

namespace mwclass::parallel {

class Communicator {
 public:
  Communicator(int& argc, char**& argv);  // MPI_Init_thread (funneled)
  ~Communicator();                        // MPI_Finalize
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }

  // Root's bytes replace everyone else's.
  void broadcast(std::vector<char>& bytes) const;
  // Root's flag and message (a failed input check) reach every rank.
  void broadcast_status(bool& ok, std::string& message) const;
  void send(const std::vector<char>& bytes, int destination, int tag) const;
  // Non-blocking send: the buffer is kept until the message is delivered, so
  // two ranks sending to each other cannot deadlock. Completed sends are
  // released by later calls; finish_sends() waits for all.
  void send_async(std::vector<char> bytes, int destination, int tag);
  void progress_sends();  // lets MPI advance pending sends; releases finished ones
  void finish_sends();
  // Receives from any rank; returns the sender.
  int receive(std::vector<char>& bytes, int tag) const;
  // A message waiting to be received: who sent it, with which tag.
  struct Envelope {
    int source = -1, tag = -1;
  };
  // Non-blocking: a waiting message from anyone, if there is one.
  bool poll(Envelope& envelope) const;
  // Blocking: the next message from anyone.
  Envelope wait() const;
  // Receives the message announced by `envelope`.
  void receive(std::vector<char>& bytes, const Envelope& envelope) const;
  void barrier() const;
  // Ends every rank at once (for failures after ranks have diverged).
  [[noreturn]] void abort(int exit_code) const;

 private:
  struct PendingSend;
  int rank_ = 0, size_ = 1;
  std::vector<std::shared_ptr<PendingSend>> pending_sends_;
};

}  // namespace mwclass::parallel
